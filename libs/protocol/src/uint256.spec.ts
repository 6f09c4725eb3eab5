import { describe, expect, it } from 'vitest';
import { bytesToHex } from './hex';
import { parseDecimal, UINT256_MAX, writeUint256 } from './uint256';

describe('uint256', () => {
  it('parses canonical decimals up to 2^256-1', () => {
    expect(parseDecimal('0')).toEqual({ ok: true, value: 0n });
    expect(parseDecimal('1000000000000000000')).toEqual({ ok: true, value: 10n ** 18n });
    expect(parseDecimal(UINT256_MAX.toString())).toEqual({ ok: true, value: UINT256_MAX });
    expect(parseDecimal((UINT256_MAX + 1n).toString())).toEqual({ ok: false, error: 'out of range' });
    expect(parseDecimal('10', 9n)).toEqual({ ok: false, error: 'out of range' });
  });

  it('writes big-endian 32-byte words', () => {
    const out = new Uint8Array(40);
    writeUint256(out, 4, 0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20n);
    expect(bytesToHex(out.subarray(4, 36))).toBe(
      '0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20',
    );
    expect(bytesToHex(out.subarray(0, 4))).toBe('0x00000000');
    writeUint256(out, 0, UINT256_MAX);
    expect(bytesToHex(out.subarray(0, 32))).toBe(`0x${'ff'.repeat(32)}`);
    writeUint256(out, 0, 1n);
    expect(bytesToHex(out.subarray(0, 32))).toBe(`0x${'00'.repeat(31)}01`);
    // Both sides of the 64-bit fast path.
    writeUint256(out, 0, 2n ** 64n - 1n);
    expect(bytesToHex(out.subarray(0, 32))).toBe(`0x${'00'.repeat(24)}${'ff'.repeat(8)}`);
    writeUint256(out, 0, 2n ** 64n);
    expect(bytesToHex(out.subarray(0, 32))).toBe(`0x${'00'.repeat(23)}01${'00'.repeat(8)}`);
  });
});
