import { keccak256 } from './keccak256';
import { domainSeparatorBytes, type ChannelDomain } from './eip712-domain';
import { hexInto } from './hex';
import { invalidArgument } from './protocol-error';
import { isUint256, writeUint256 } from './uint256';

const STRUCT = new Uint8Array(128);
const MESSAGE = new Uint8Array(66);
MESSAGE[0] = 0x19;
MESSAGE[1] = 0x01;

/**
 * EIP-712 digest of a struct shaped `(bytes32, address, uint256)` — both BalanceProof and ClosingProof
 * are. Encoding by hand (no ethers) keeps the digest at two keccak calls (the separator is cached per domain).
 */
export function digestProofStruct(
  domain: ChannelDomain,
  typehash: Uint8Array,
  channelId: string,
  party: string,
  balance: bigint,
  partyField: string,
): Uint8Array {
  // abi.encode(typehash, channelId, party, balance): four 32-byte words, the address left-padded. The
  // scratch buffers are reused: this function is synchronous and its result is a fresh array.
  const struct = STRUCT;
  struct.set(typehash, 0);
  if (!hexInto(channelId, 32, struct, 32))
    invalidArgument('channelId', 'must be 0x followed by 64 hex digits');
  struct.fill(0, 64, 76);
  if (!hexInto(party, 20, struct, 76)) invalidArgument(partyField, 'must be 0x followed by 40 hex digits');
  if (!isUint256(balance)) invalidArgument('balance', 'must be a bigint in 0..2^256-1');
  writeUint256(struct, 96, balance);

  const message = MESSAGE;
  message.set(domainSeparatorBytes(domain), 2);
  message.set(keccak256(struct), 34);
  return keccak256(message);
}
