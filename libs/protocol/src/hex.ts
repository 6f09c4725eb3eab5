/** A 0x-prefixed hex string (viem's and ethers' convention). */
export type Hex = `0x${string}`;
/** A 20-byte address, 0x + 40 hex; every address this library returns is EIP-55 checksummed. */
export type Address = `0x${string}`;
/** A 32-byte value (channel id, digest), 0x + 64 lowercase hex. */
export type Hex32 = `0x${string}`;

// -1 marks a non-hex character; a lookup table keeps decoding branch-light on the hot path.
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  NIBBLE[65 + i] = 10 + i;
  NIBBLE[97 + i] = 10 + i;
}

const HEX_BYTE: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Decodes `0x`-prefixed hex of exactly `byteLength` bytes (digits in any letter case) into `out` at
 * `offset`; false when the text is not exactly that (`out` may then hold partial garbage).
 */
export function hexInto(text: string, byteLength: number, out: Uint8Array, offset: number): boolean {
  if (text.length !== 2 + byteLength * 2 || text.charCodeAt(0) !== 48) return false;
  if (text.charCodeAt(1) !== 120) return false; // only a lowercase 0x prefix is accepted
  for (let i = 0, j = 2; i < byteLength; i++, j += 2) {
    const hi = text.charCodeAt(j);
    const lo = text.charCodeAt(j + 1);
    const h = hi < 128 ? (NIBBLE[hi] as number) : -1;
    const l = lo < 128 ? (NIBBLE[lo] as number) : -1;
    if (h < 0 || l < 0) return false;
    out[offset + i] = (h << 4) | l;
  }
  return true;
}

/**
 * Decodes `0x`-prefixed hex of exactly `byteLength` bytes (digits in any letter case); undefined when
 * the text is not exactly that.
 */
export function hexToBytes(text: string, byteLength: number): Uint8Array | undefined {
  const out = new Uint8Array(byteLength);
  return hexInto(text, byteLength, out, 0) ? out : undefined;
}

/** Encodes bytes as 0x-prefixed lowercase hex. */
export function bytesToHex(bytes: Uint8Array): Hex {
  let out = '0x';
  for (let i = 0; i < bytes.length; i++) out += HEX_BYTE[bytes[i] as number];
  return out as Hex;
}

/** True when both byte arrays hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
