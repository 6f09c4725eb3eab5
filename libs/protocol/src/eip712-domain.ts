import { keccak256 } from './keccak256';
import { parseAddress } from './address';
import { bytesToHex, hexToBytes, type Address, type Hex } from './hex';
import { hashTypedDataDomain } from './typed-data-domain-hash';
import { invalidArgument } from './protocol-error';
import { CHAIN_ID_MAX } from './uint256';

/** `name` of the channel manager's EIP-712 domain. */
export const EIP712_DOMAIN_NAME = 'MicroTransferChannels';
/** `version` of the channel manager's EIP-712 domain. */
export const EIP712_DOMAIN_VERSION = '1';
/** The EIP-712 type string of the domain (all four fields are used). */
export const EIP712_DOMAIN_TYPE =
  'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)';

const ASCII = new TextEncoder();
/** keccak256 of EIP712_DOMAIN_TYPE. */
export const EIP712_DOMAIN_TYPEHASH: Hex = bytesToHex(keccak256(ASCII.encode(EIP712_DOMAIN_TYPE)));

/**
 * The EIP-712 domain of one channel manager deployment, with its separator precomputed. Build it once
 * per (chainId, contract) with channelDomain() and pass it to every digest, sign and verify call.
 */
export interface ChannelDomain {
  readonly name: typeof EIP712_DOMAIN_NAME;
  readonly version: typeof EIP712_DOMAIN_VERSION;
  readonly chainId: bigint;
  /** The MicroTransferChannels contract, checksummed. */
  readonly verifyingContract: Address;
  /** keccak256(abi.encode(typehash, keccak(name), keccak(version), chainId, verifyingContract)). */
  readonly separator: Hex;
}

// Digest functions need the separator as bytes; keep them off the public object so callers cannot
// mutate a shared buffer, and recompute for domains built by hand instead of by channelDomain().
const separatorBytes = new WeakMap<ChannelDomain, Uint8Array>();
const domainCache = new Map<string, ChannelDomain>();
// A client may meet many gateways; bound the cache so hostile challenges cannot grow it forever.
const DOMAIN_CACHE_LIMIT = 256;

/**
 * The domain of the channel manager at `verifyingContract` on `chainId`; cached, so calling it per
 * request is cheap. Throws INVALID_ARGUMENT for a chain id outside 1..2^53-1 or a malformed address.
 */
export function channelDomain(chainId: bigint, verifyingContract: string): ChannelDomain {
  if (typeof chainId !== 'bigint' || chainId < 1n || chainId > CHAIN_ID_MAX) {
    invalidArgument('chainId', 'must be a bigint in 1..2^53-1');
  }
  // Keyed by the exact spelling first, so a wrongly checksummed spelling never hits a valid entry.
  const key = `${chainId}:${verifyingContract}`;
  const cached = domainCache.get(key);
  if (cached !== undefined) return cached;
  const parsed = parseAddress(verifyingContract);
  if (!parsed.ok) invalidArgument('verifyingContract', parsed.error);
  const canonicalKey = `${chainId}:${parsed.value}`;
  const domain = domainCache.get(canonicalKey) ?? buildDomain(chainId, parsed.value);
  if (domainCache.size >= DOMAIN_CACHE_LIMIT) domainCache.clear();
  domainCache.set(canonicalKey, domain);
  domainCache.set(key, domain);
  return domain;
}

function buildDomain(chainId: bigint, verifyingContract: Address): ChannelDomain {
  const fields = {
    name: EIP712_DOMAIN_NAME,
    version: EIP712_DOMAIN_VERSION,
    chainId,
    verifyingContract,
  } as const;
  const separator = hashTypedDataDomain(fields);
  const bytes = hexToBytes(separator, 32) as Uint8Array;
  const domain: ChannelDomain = Object.freeze({ ...fields, separator });
  separatorBytes.set(domain, bytes);
  return domain;
}

/** The domain separator bytes of `domain` (internal to the library's digest functions). */
export function domainSeparatorBytes(domain: ChannelDomain): Uint8Array {
  const cached = separatorBytes.get(domain);
  if (cached !== undefined) return cached;
  const rebuilt = channelDomain(domain.chainId, domain.verifyingContract);
  const bytes = separatorBytes.get(rebuilt) as Uint8Array;
  separatorBytes.set(domain, bytes);
  return bytes;
}

/** The domain as the plain object ethers' signTypedData and viem's signTypedData expect. */
export function typedDataDomain(domain: ChannelDomain): {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: Address;
} {
  return {
    name: domain.name,
    version: domain.version,
    chainId: domain.chainId,
    verifyingContract: domain.verifyingContract,
  };
}
