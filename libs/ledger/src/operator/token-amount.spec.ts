import { describe, expect, it } from 'vitest';
import { displayAmount, formatTokenUnits } from './token-amount';

describe('formatTokenUnits', () => {
  it('writes exact token units without trailing zeros', () => {
    expect(formatTokenUnits(1_500_000_000_000_000n, 18)).toBe('0.0015');
    expect(formatTokenUnits(100_000_000_000_000_000n, 18)).toBe('0.1');
    expect(formatTokenUnits(1_000_000_000_000_000_000n, 18)).toBe('1');
    expect(formatTokenUnits(1n, 18)).toBe('0.000000000000000001');
    expect(formatTokenUnits(0n, 18)).toBe('0');
    expect(formatTokenUnits(12_345n, 2)).toBe('123.45');
    expect(formatTokenUnits(7n, 0)).toBe('7');
    expect(formatTokenUnits(-1_050n, 3)).toBe('-1.05');
  });

  it('stays exact far above 2^53 (a float would round)', () => {
    const max = 2n ** 256n - 1n;
    const text = formatTokenUnits(max, 18);
    expect(text.replace('.', '')).toBe(max.toString());
    expect(formatTokenUnits(9_007_199_254_740_993n, 0)).toBe('9007199254740993');
    expect(formatTokenUnits(9_007_199_254_740_993n, 3)).toBe('9007199254740.993');
  });

  it('refuses nonsensical decimals', () => {
    expect(() => formatTokenUnits(1n, -1)).toThrow(RangeError);
    expect(() => formatTokenUnits(1n, 1.5)).toThrow(RangeError);
  });
});

describe('displayAmount', () => {
  it('keeps the base units next to the token units', () => {
    expect(displayAmount(2_500_000_000_000_000n, { symbol: 'MTK', decimals: 18 })).toEqual({
      base: '2500000000000000',
      units: '0.0025',
    });
  });
});
