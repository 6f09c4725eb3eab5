import { keccak_256 } from '@noble/hashes/sha3.js';
import { keccakF1600 } from './keccak-f1600';

// keccak256's rate in bytes: the part of the 200-byte state each block is absorbed into.
const RATE = 136;
const state = new Uint8Array(200);
const state32 = new Uint32Array(state.buffer);
// The permutation works on host-order 32-bit words; big-endian hosts take noble's byte-swapping path.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * keccak256 (Ethereum's, not SHA3-256). Three run per verified proof, so it uses an unrolled permutation
 * (about twice noble's speed here) on a reused state instead of noble's streaming hasher. Sharing the
 * state is safe: the function is synchronous and never re-entered.
 */
export function keccak256(data: Uint8Array): Uint8Array {
  if (!LITTLE_ENDIAN) return keccak_256(data);
  state.fill(0);
  let offset = 0;
  for (; data.length - offset >= RATE; offset += RATE) {
    for (let i = 0; i < RATE; i++) state[i] = (state[i] as number) ^ (data[offset + i] as number);
    keccakF1600(state32);
  }
  for (let i = offset; i < data.length; i++)
    state[i - offset] = (state[i - offset] as number) ^ (data[i] as number);
  // Keccak's pad10*1 with domain byte 0x01 (SHA3-256 would use 0x06).
  state[data.length - offset] = (state[data.length - offset] as number) ^ 0x01;
  state[RATE - 1] = (state[RATE - 1] as number) ^ 0x80;
  keccakF1600(state32);
  return state.slice(0, 32);
}
