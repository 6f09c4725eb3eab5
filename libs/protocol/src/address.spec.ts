import { getAddress } from 'ethers';
import { describe, expect, it } from 'vitest';
import { checksumAddress, checksummedAddress, parseAddress, sameAddress, toChecksumAddress } from './address';
import { hexToBytes } from './hex';
import { propertySeed, seededRandom } from './test/builders';

describe('addresses', () => {
  it.each([
    // EIP-55's own test vectors
    '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
    '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
    '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
  ])('checksums the EIP-55 vector %s', (address) => {
    expect(checksumAddress(hexToBytes(address, 20) as Uint8Array)).toBe(address);
    expect(parseAddress(address.toLowerCase())).toEqual({ ok: true, value: address });
    expect(parseAddress(`0x${address.slice(2).toUpperCase()}`)).toEqual({ ok: true, value: address });
  });

  it('agrees with ethers getAddress on random addresses', () => {
    const seed = propertySeed();
    const rnd = seededRandom(seed);
    for (let i = 0; i < 200; i++) {
      const lower = rnd.hex(20);
      const parsed = parseAddress(lower);
      expect(parsed.ok && parsed.value, `seed ${seed}`).toBe(getAddress(lower));
    }
  });

  it('rejects a mixed-case spelling with one letter flipped', () => {
    expect(parseAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD')).toEqual({
      ok: false,
      error: 'bad EIP-55 checksum',
    });
  });

  it('still rejects a bad checksum after the valid spellings were parsed (and cached)', () => {
    const valid = '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359';
    for (let i = 0; i < 3; i++) {
      expect(parseAddress(valid)).toEqual({ ok: true, value: valid });
      expect(parseAddress(valid.toLowerCase())).toEqual({ ok: true, value: valid });
      expect(parseAddress('0xFb6916095ca1df60bB79Ce92cE3Ea74c37c5d359')).toEqual({
        ok: false,
        error: 'bad EIP-55 checksum',
      });
    }
  });

  it('compares addresses case-insensitively', () => {
    expect(
      sameAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'),
    ).toBe(true);
    expect(
      sameAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359'),
    ).toBe(false);
    expect(sameAddress('0x5a', '0x5A')).toBe(false);
  });

  it('toChecksumAddress: any valid spelling and the zero address, as ethers getAddress (0x prefix required)', () => {
    const address = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
    expect(toChecksumAddress(address.toLowerCase())).toBe(address);
    expect(toChecksumAddress(`0x${address.slice(2).toUpperCase()}`)).toBe(address);
    expect(toChecksumAddress(`0x${'0'.repeat(40)}`)).toBe(getAddress(`0x${'0'.repeat(40)}`));
    expect(toChecksumAddress(address.replace('a', 'A'))).toBeUndefined();
    expect(toChecksumAddress(address.slice(2))).toBeUndefined();
    expect(checksummedAddress(address.toLowerCase())).toBe(address);
    expect(() => checksummedAddress('0x1234', 'receiver')).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        details: expect.objectContaining({ field: 'receiver' }),
      }),
    );
  });
});
