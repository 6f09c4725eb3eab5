// The few ABI encodings the paywall page needs, without a library: static words only, plus the one dynamic
// return value it reads (an ERC-20 `string`). Selectors are computed from the signatures, not copied.
import { keccak_256 } from '@noble/hashes/sha3.js';

export type Hex = `0x${string}`;

const UINT256_MAX = (1n << 256n) - 1n;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const UTF8 = new TextEncoder();

/** True for 0x + 40 hex digits. */
export function isAddress(text: unknown): text is Hex {
  return typeof text === 'string' && ADDRESS.test(text);
}

/** True for 0x + 64 hex digits. */
export function isBytes32(text: unknown): text is Hex {
  return typeof text === 'string' && BYTES32.test(text);
}

/** keccak256 of bytes, as 0x-hex. */
export function keccakHex(bytes: Uint8Array): Hex {
  return `0x${Array.from(keccak_256(bytes), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** keccak256 of a UTF-8 string. */
export function keccakText(text: string): Hex {
  return keccakHex(UTF8.encode(text));
}

/** The 4-byte selector of a function signature such as `approve(address,uint256)`, without 0x. */
export function selector(signature: string): string {
  return keccakText(signature).slice(2, 10);
}

/** One 32-byte word of a uint256 (hex, no 0x). */
export function uintWord(value: bigint): string {
  if (value < 0n || value > UINT256_MAX) throw new Error('not a uint256');
  return value.toString(16).padStart(64, '0');
}

/** One 32-byte word of an address (hex, no 0x). */
export function addressWord(address: string): string {
  if (!isAddress(address)) throw new Error(`not an address: ${address}`);
  return address.slice(2).toLowerCase().padStart(64, '0');
}

/** One 32-byte word of a bytes32 (hex, no 0x). */
export function bytes32Word(value: string): string {
  if (!isBytes32(value)) throw new Error('not a bytes32');
  return value.slice(2).toLowerCase();
}

/** Calldata: the selector of `signature` followed by the already encoded words. */
export function encodeCall(signature: string, words: readonly string[] = []): Hex {
  return `0x${selector(signature)}${words.join('')}`;
}

/** The 32-byte words of ABI-encoded return data, as bigints. */
export function decodeWords(data: unknown): bigint[] {
  if (typeof data !== 'string' || !/^0x([0-9a-fA-F]{64})*$/.test(data)) throw new Error('bad return data');
  const words: bigint[] = [];
  for (let i = 2; i < data.length; i += 64) words.push(BigInt(`0x${data.slice(i, i + 64)}`));
  return words;
}

/** A word as a lowercase address. */
export function wordToAddress(word: bigint): Hex {
  return `0x${word.toString(16).padStart(40, '0')}`;
}

/** An ABI-encoded single `string` return value (offset, length, bytes). */
export function decodeString(data: unknown): string {
  const words = decodeWords(data);
  const offset = Number(words[0] ?? -1n);
  const length = Number(words[offset / 32] ?? -1n);
  if (offset !== 32 || length < 0 || length > 1024) throw new Error('bad string return data');
  const hex = (data as string).slice(2 + 128, 2 + 128 + length * 2);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return new TextDecoder().decode(bytes);
}
