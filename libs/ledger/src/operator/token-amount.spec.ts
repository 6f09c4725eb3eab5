import { describe, expect, it } from 'vitest';
import { displayAmount } from './token-amount';

describe('displayAmount', () => {
  it('keeps the base units next to the token units', () => {
    expect(displayAmount(2_500_000_000_000_000n, { symbol: 'MTK', decimals: 18 })).toEqual({
      base: '2500000000000000',
      units: '0.0025',
    });
  });
});
