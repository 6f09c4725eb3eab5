import { keccak256 } from './keccak256';
import { bytesToHex, hexInto, type Hex } from './hex';
import { invalidArgument } from './protocol-error';
import { isUint256, writeUint256 } from './uint256';

/**
 * An EIP-712 domain with all four of name, version, chainId and verifyingContract: the channel manager's, and
 * the EIP-2612 tokens the client permits (their ERC-5267 `eip712Domain()` is read into these four fields).
 */
export interface TypedDataDomainFields {
  readonly name: string;
  readonly version: string;
  readonly chainId: bigint;
  readonly verifyingContract: string;
}

const UTF8 = new TextEncoder();
const DOMAIN_TYPEHASH = keccak256(
  UTF8.encode('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'),
);

/**
 * The EIP-712 domain separator of `domain`:
 * keccak256(abi.encode(typehash, keccak(name), keccak(version), chainId, verifyingContract)). The channel
 * manager's cached separator and a token's permit domain check both come from here. Throws INVALID_ARGUMENT
 * on a chain id outside uint256 or a contract that is not 0x + 40 hex.
 */
export function hashTypedDataDomain(domain: TypedDataDomainFields): Hex {
  if (!isUint256(domain.chainId)) invalidArgument('chainId', 'must be a bigint in 0..2^256-1');
  const buf = new Uint8Array(160);
  buf.set(DOMAIN_TYPEHASH, 0);
  buf.set(keccak256(UTF8.encode(domain.name)), 32);
  buf.set(keccak256(UTF8.encode(domain.version)), 64);
  writeUint256(buf, 96, domain.chainId);
  if (!hexInto(domain.verifyingContract, 20, buf, 140)) {
    invalidArgument('verifyingContract', 'must be 0x followed by 40 hex digits');
  }
  return bytesToHex(keccak256(buf));
}
