import { keccak256 } from '@microraiden/protocol';
import type { Hex } from './wire-fields';

/** One static ABI word: a uint as bigint/number, or a 20-byte address / 32-byte value as hex. */
export type AbiWord = bigint | number | Hex;

const WORD = 32;
const UINT256_END = 1n << 256n;
// Nibble value per char code (-1 for anything else), so parsing and validating a hex word is one loop.
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[65 + i] = NIBBLE[97 + i] = 10 + i;

/**
 * keccak256(abi.encode(...words)) for static words only. Hand-rolled because ids are hashed on every encode and
 * decode (the ledger re-derives one per consumed proof), and a generic ABI coder costs more than the hash itself:
 * the words are written straight into the bytes hashed, with no hex string in between. A test checks it against
 * viem's encoder.
 */
export function keccakOfWords(words: readonly AbiWord[]): Hex {
  const bytes = new Uint8Array(words.length * WORD);
  for (let i = 0; i < words.length; i++) writeWord(words[i]!, bytes, i * WORD);
  const hash = keccak256(bytes);
  return `0x${Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex')}`;
}

function writeWord(word: AbiWord, bytes: Uint8Array, at: number): void {
  if (typeof word === 'string') return writeHexWord(word, bytes, at);
  let value = BigInt(word);
  if (value < 0n || value >= UINT256_END) throw new RangeError('uint256 out of range');
  // Big-endian, 32 bits at a time: a small uint (a chain id, a balance) takes one or two steps.
  for (let end = at + WORD; value > 0n; end -= 4) {
    const low = Number(value & 0xffffffffn);
    bytes[end - 1] = low & 0xff;
    bytes[end - 2] = (low >>> 8) & 0xff;
    bytes[end - 3] = (low >>> 16) & 0xff;
    bytes[end - 4] = low >>> 24;
    value >>= 32n;
  }
}

/** A 20-byte (left-padded) or 32-byte hex word, in any letter case. */
function writeHexWord(word: string, bytes: Uint8Array, at: number): void {
  const digits = word.length - 2;
  if ((digits !== 40 && digits !== 64) || word[0] !== '0' || (word[1] !== 'x' && word[1] !== 'X'))
    throw new TypeError('expected a 20- or 32-byte hex word');
  let out = at + WORD - digits / 2;
  for (let i = 2; i < word.length; i += 2) {
    const high = NIBBLE[word.charCodeAt(i)] ?? -1;
    const low = NIBBLE[word.charCodeAt(i + 1)] ?? -1;
    if (high < 0 || low < 0) throw new TypeError('expected a 20- or 32-byte hex word');
    bytes[out++] = (high << 4) | low;
  }
}

/** keccak256 of a UTF-8 string, e.g. a domain tag. */
export function keccakOfText(text: string): Hex {
  const hash = keccak256(new TextEncoder().encode(text));
  return `0x${Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex')}`;
}
