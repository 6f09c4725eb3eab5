import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { keccak256 } from '@microraiden/protocol';
import type { Hex } from './wire-fields';

/** One static ABI word: a uint as bigint/number, or a 20-byte address / 32-byte value as hex. */
export type AbiWord = bigint | number | Hex;

/**
 * keccak256(abi.encode(...words)) for static words only. Hand-rolled because ids are hashed on every encode and
 * decode, and a generic ABI coder costs more than the hash itself; a test checks it against viem's encoder.
 */
export function keccakOfWords(words: readonly AbiWord[]): Hex {
  const hex = words.map(toWord).join('');
  // The protocol's keccak: ids are hashed once per paid request, and it is several times faster than noble's.
  return `0x${bytesToHex(keccak256(hexToBytes(hex)))}`;
}

function toWord(word: AbiWord): string {
  if (typeof word === 'string') {
    const digits = word.slice(2).toLowerCase();
    if (!/^0x/i.test(word) || (digits.length !== 40 && digits.length !== 64) || !/^[0-9a-f]*$/.test(digits))
      throw new TypeError('expected a 20- or 32-byte hex word');
    return digits.padStart(64, '0');
  }
  const value = BigInt(word);
  if (value < 0n || value >= 1n << 256n) throw new RangeError('uint256 out of range');
  return value.toString(16).padStart(64, '0');
}

/** keccak256 of a UTF-8 string, e.g. a domain tag. */
export function keccakOfText(text: string): Hex {
  return `0x${bytesToHex(keccak256(new TextEncoder().encode(text)))}`;
}
