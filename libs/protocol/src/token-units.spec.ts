import fc from 'fast-check';
import { formatUnits as ethersFormat, parseUnits as ethersParse } from 'ethers';
import { describe, expect, it } from 'vitest';
import { formatTokenAmount, formatTokenAmountWithBase, formatUnits, parseUnits } from './token-units';

const MTK = { symbol: 'MTK', decimals: 18 };

describe('token units', () => {
  it('formats exactly, without trailing zeros, as ethers does (minus its ".0")', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(1n << 256n), max: 1n << 256n }),
        fc.integer({ min: 0, max: 36 }),
        (a, d) => {
          expect(formatUnits(a, d)).toBe(ethersFormat(a, d).replace(/\.0$/, ''));
        },
      ),
    );
  });

  it('parses what it formats, and agrees with ethers on decimal strings', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 256n }), fc.integer({ min: 0, max: 36 }), (a, d) => {
        const text = formatUnits(a, d);
        expect(parseUnits(text, d)).toBe(a);
        expect(parseUnits(text, d)).toBe(ethersParse(text, d));
      }),
    );
  });

  it('refuses what is not a plain non-negative decimal, and more decimals than the token has', () => {
    for (const text of ['', '-1', '1e18', '0x10', '1.', '.5', '1,5', 'one']) {
      expect(() => parseUnits(text, 18), text).toThrow(RangeError);
    }
    expect(() => parseUnits('0.0000001', 6)).toThrow(/more than 6 decimals/);
    expect(parseUnits('0.0000010', 6)).toBe(1n);
    expect(() => formatUnits(1n, 1.5)).toThrow(RangeError);
  });

  it('names the token where people read it, base units beside where they check', () => {
    expect(formatTokenAmount(1_500_000_000_000_000n, MTK)).toBe('0.0015 MTK');
    expect(formatTokenAmountWithBase(10n ** 15n, MTK)).toBe('0.001 MTK (1000000000000000 base units)');
    expect(formatTokenAmount(7n, undefined)).toBe('7 base units');
    expect(formatTokenAmountWithBase(7n, undefined)).toBe('7 base units');
  });
});

describe('formatUnits', () => {
  it('writes exact token units without trailing zeros', () => {
    expect(formatUnits(1_500_000_000_000_000n, 18)).toBe('0.0015');
    expect(formatUnits(100_000_000_000_000_000n, 18)).toBe('0.1');
    expect(formatUnits(1_000_000_000_000_000_000n, 18)).toBe('1');
    expect(formatUnits(1n, 18)).toBe('0.000000000000000001');
    expect(formatUnits(0n, 18)).toBe('0');
    expect(formatUnits(12_345n, 2)).toBe('123.45');
    expect(formatUnits(7n, 0)).toBe('7');
    expect(formatUnits(-1_050n, 3)).toBe('-1.05');
  });

  it('stays exact far above 2^53 (a float would round)', () => {
    const max = 2n ** 256n - 1n;
    const text = formatUnits(max, 18);
    expect(text.replace('.', '')).toBe(max.toString());
    expect(formatUnits(9_007_199_254_740_993n, 0)).toBe('9007199254740993');
    expect(formatUnits(9_007_199_254_740_993n, 3)).toBe('9007199254740.993');
  });

  it('refuses nonsensical decimals', () => {
    expect(() => formatUnits(1n, -1)).toThrow(RangeError);
    expect(() => formatUnits(1n, 1.5)).toThrow(RangeError);
  });
});
