import { keccak_256, keccakP } from '@noble/hashes/sha3.js';
import { id } from 'ethers';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from './hex';
import { keccakF1600 } from './keccak-f1600';
import { keccak256 } from './keccak256';
import { propertySeed, seededRandom } from './test/builders';

describe('keccak256', () => {
  it('is Ethereum keccak256, not SHA3-256', () => {
    expect(bytesToHex(keccak256(new Uint8Array(0)))).toBe(
      '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    );
    expect(bytesToHex(keccak256(new TextEncoder().encode('MicroTransferChannels')))).toBe(
      id('MicroTransferChannels'),
    );
  });

  it('equals noble keccak_256 for every length up to 300 and across several blocks', () => {
    const seed = propertySeed();
    const rnd = seededRandom(seed);
    for (const length of [...Array.from({ length: 301 }, (_, i) => i), 407, 408, 409, 1000, 4096]) {
      const data = rnd.bytes(length);
      expect(bytesToHex(keccak256(data)), `seed ${seed} length ${length}`).toBe(bytesToHex(keccak_256(data)));
    }
  });

  it('permutes like noble keccakP (the unrolled Keccak-f[1600])', () => {
    const seed = propertySeed();
    const rnd = seededRandom(seed);
    for (let t = 0; t < 200; t++) {
      const words = new Uint32Array(rnd.bytes(200).buffer);
      const ours = words.slice();
      keccakP(words, 24);
      keccakF1600(ours);
      expect([...ours], `seed ${seed}`).toEqual([...words]);
    }
  });

  it('returns a fresh array each call (the shared state never leaks)', () => {
    const a = keccak256(new Uint8Array([1]));
    const copy = bytesToHex(a);
    keccak256(new Uint8Array([2]));
    expect(bytesToHex(a)).toBe(copy);
  });
});
