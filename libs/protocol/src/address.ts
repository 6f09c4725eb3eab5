import { keccak256 } from './keccak256';
import { invalidArgument } from './protocol-error';
import { hexToBytes, type Address } from './hex';
import { fail, ok, type Result } from './result';

const HEX_DIGITS = '0123456789abcdef';

/** EIP-55 checksum of 20 address bytes. */
export function checksumAddress(bytes: Uint8Array): Address {
  // The checksum hashes the lowercase hex text: build its ASCII bytes directly, no TextEncoder round trip.
  const ascii = new Uint8Array(40);
  for (let i = 0; i < 20; i++) {
    const b = bytes[i] as number;
    ascii[2 * i] = HEX_DIGITS.charCodeAt(b >> 4);
    ascii[2 * i + 1] = HEX_DIGITS.charCodeAt(b & 0x0f);
  }
  const hash = keccak256(ascii);
  const out = new Array<string>(40);
  for (let i = 0; i < 40; i++) {
    const code = ascii[i] as number;
    const nibble = i % 2 === 0 ? (hash[i >> 1] as number) >> 4 : (hash[i >> 1] as number) & 0x0f;
    // Letters a-f (ASCII >= 97) are upper-cased where the hash nibble is >= 8.
    out[i] = String.fromCharCode(code >= 97 && nibble >= 8 ? code - 32 : code);
  }
  return `0x${out.join('')}` as Address;
}

// Gateways see the same few addresses (their own receiver and contract, returning senders) on every
// request; remembering recent successful parses saves a keccak per address per request. Bounded so
// hostile input can only make it clear itself.
const parsedCache = new Map<string, Address>();
const PARSED_CACHE_LIMIT = 4096;

/**
 * Parses an address in any accepted spelling and returns it checksummed. All-lowercase and
 * all-uppercase are accepted unchecked (they carry no checksum); mixed case must be a valid EIP-55
 * checksum, because a wrong one means the address was mistyped. The zero address is refused: it is
 * never a valid sender, receiver, token or contract in this protocol.
 */
export function parseAddress(text: string): Result<Address, string> {
  const cached = parsedCache.get(text);
  if (cached !== undefined) return ok(cached);
  const bytes = hexToBytes(text, 20);
  if (bytes === undefined) return fail('not 0x followed by 40 hex digits');
  if (bytes.every((b) => b === 0)) return fail('zero address');
  const checksummed = checksumAddress(bytes);
  const body = text.slice(2);
  const mixed = body !== body.toLowerCase() && body !== body.toUpperCase();
  if (mixed && body !== checksummed.slice(2)) return fail('bad EIP-55 checksum');
  if (parsedCache.size >= PARSED_CACHE_LIMIT) parsedCache.clear();
  parsedCache.set(text, checksummed);
  return ok(checksummed);
}

/**
 * EIP-55 form of an address spelt all lower case, all upper case or with a valid checksum, the zero address
 * included (configuration and chain data, where the caller decides what the zero address means); undefined for
 * anything else. {@link parseAddress} is the stricter reader of protocol input.
 */
export function toChecksumAddress(text: string): Address | undefined {
  const bytes = hexToBytes(text, 20);
  if (bytes === undefined) return undefined;
  const checksummed = checksumAddress(bytes);
  const body = text.slice(2);
  const mixed = body !== body.toLowerCase() && body !== body.toUpperCase();
  return mixed && body !== checksummed.slice(2) ? undefined : checksummed;
}

/** {@link toChecksumAddress} for values that must be addresses: throws `INVALID_ARGUMENT` (a bug) otherwise. */
export function checksummedAddress(text: string, field = 'address'): Address {
  return (
    toChecksumAddress(text) ?? invalidArgument(field, 'not 0x + 40 hex digits with a valid EIP-55 checksum')
  );
}

/** The 20 bytes of an address; undefined when it is not 0x + 40 hex. */
export function addressToBytes(address: string): Uint8Array | undefined {
  return hexToBytes(address, 20);
}

/** True when both strings denote the same 20-byte address regardless of letter case. */
export function sameAddress(a: string, b: string): boolean {
  return a.length === 42 && b.length === 42 && a.toLowerCase() === b.toLowerCase();
}
