// The few ABI encodings a wallet-only sender needs, without ethers (the paywall page counts its bytes): static
// words, plus the dynamic `string` return values of ERC-20 name()/symbol() and ERC-5267 eip712Domain().
// Selectors and topics are computed from the signatures, not copied.
import { bytesToHex, keccak256, type Address, type Hex } from '@microraiden/protocol';

const UINT256_MAX = (1n << 256n) - 1n;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const UTF8 = new TextEncoder();
const MAX_STRING_BYTES = 1024;

/** True for 0x + 40 hex digits (any case). */
export function isAddressText(text: unknown): text is Address {
  return typeof text === 'string' && ADDRESS.test(text);
}

/** True for 0x + 64 hex digits (any case). */
export function isBytes32Text(text: unknown): text is Hex {
  return typeof text === 'string' && BYTES32.test(text);
}

/** keccak256 of a UTF-8 string, as 0x-hex: an event topic, or a selector's source. */
export function keccakText(text: string): Hex {
  return bytesToHex(keccak256(UTF8.encode(text)));
}

/** The 4-byte selector of a function signature such as `approve(address,uint256)`, without 0x. */
export function selector(signature: string): string {
  return keccakText(signature).slice(2, 10);
}

/** One 32-byte word of a uint256 (hex, no 0x). */
export function uintWord(value: bigint): string {
  if (value < 0n || value > UINT256_MAX) throw new RangeError(`not a uint256: ${value}`);
  return value.toString(16).padStart(64, '0');
}

/** One 32-byte word of an address (hex, no 0x). */
export function addressWord(address: string): string {
  if (!isAddressText(address)) throw new RangeError(`not an address: ${address}`);
  return address.slice(2).toLowerCase().padStart(64, '0');
}

/** One 32-byte word of a bytes32 (hex, no 0x). */
export function bytes32Word(value: string): string {
  if (!isBytes32Text(value)) throw new RangeError(`not a bytes32: ${value}`);
  return value.slice(2).toLowerCase();
}

/** Calldata: the selector of `signature` followed by the already encoded words. */
export function encodeCall(signature: string, words: readonly string[] = []): Hex {
  return `0x${selector(signature)}${words.join('')}`;
}

/** The 32-byte words of ABI-encoded return data, as bigints; throws on anything that is not whole words. */
export function decodeWords(data: unknown): bigint[] {
  if (typeof data !== 'string' || !/^0x([0-9a-fA-F]{64})*$/.test(data)) {
    throw new RangeError('bad return data');
  }
  const words: bigint[] = [];
  for (let i = 2; i < data.length; i += 64) words.push(BigInt(`0x${data.slice(i, i + 64)}`));
  return words;
}

/** A word as a lowercase address (its low 20 bytes). */
export function wordToAddress(word: bigint): Address {
  return `0x${(word & ((1n << 160n) - 1n)).toString(16).padStart(40, '0')}`;
}

/**
 * The dynamic `string` whose offset is in word `index` of ABI-encoded return data (index 0: a function that
 * returns one string). Throws on offsets outside the data and on strings over 1 KiB.
 */
export function decodeStringAt(data: unknown, index = 0): string {
  const words = decodeWords(data);
  const offset = words[index];
  if (offset === undefined || offset % 32n !== 0n || offset / 32n >= BigInt(words.length)) {
    throw new RangeError('bad string return data');
  }
  const start = Number(offset / 32n);
  const length = Number(words[start] as bigint);
  const hex = (data as string).slice(2 + (start + 1) * 64, 2 + (start + 1) * 64 + length * 2);
  if (length > MAX_STRING_BYTES || hex.length !== length * 2) throw new RangeError('bad string return data');
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}
