import { checksumAddress, hexToBytes, type Address } from '@microraiden/protocol';

// Addresses come from @microraiden/protocol (the project's one Ethereum primitive stack, see the root eslint
// config). Producers and consumers see the same few senders, receivers and contracts again and again, so the
// checksum of each spelling is remembered; bounded so hostile input can only make the cache clear itself.
const checksums = new Map<string, Address>();
const CHECKSUMS_MAX = 8192;

/** EIP-55 checksum form of `0x` + 40 hex digits in any letter case; undefined for anything else. */
export function checksumOf(value: string): Address | undefined {
  const cached = checksums.get(value);
  if (cached !== undefined) return cached;
  const bytes = hexToBytes(value, 20);
  if (bytes === undefined) return undefined;
  const checksummed = checksumAddress(bytes);
  if (checksums.size >= CHECKSUMS_MAX) checksums.clear();
  checksums.set(value, checksummed);
  return checksummed;
}

/**
 * A 20-byte address as a TypeScript caller may spell it: all lower case (no checksum to check), or mixed case with
 * a valid EIP-55 checksum. The zero address is an address here (events describe, they do not judge).
 */
export function isEventAddress(value: unknown): value is Address {
  if (typeof value !== 'string') return false;
  const checksummed = checksumOf(value);
  return checksummed !== undefined && (value === value.toLowerCase() || value === checksummed);
}

/** True when `value` is an address written in its EIP-55 checksum form (the only form on the wire). */
export function isChecksummedAddress(value: unknown): value is Address {
  return typeof value === 'string' && checksumOf(value) === value;
}
