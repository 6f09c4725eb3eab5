import { formatUnits as ethersFormat, parseUnits as ethersParse } from 'ethers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAmount, formatAmountWithBase, formatUnits, parseUnits } from './token-units';

const MTK = { decimals: 18, symbol: 'MTK' };

describe('token units on the paywall page', () => {
  it('shows token units with the symbol, base units beside where asked', () => {
    expect(formatAmount(1_000_000_000_000_000n, MTK)).toBe('0.001 MTK');
    expect(formatAmount(2n * 10n ** 18n, MTK)).toBe('2 MTK');
    expect(formatAmount(0n, MTK)).toBe('0 MTK');
    expect(formatAmountWithBase(1_000_000_000_000_000n, MTK)).toBe('0.001 MTK (1000000000000000 base units)');
    expect(formatAmount(5n, undefined)).toBe('5 base units');
    expect(formatUnits(1234n, 0)).toBe('1234');
  });

  it('reads what a visitor types', () => {
    expect(parseUnits('0.01', 18)).toBe(10_000_000_000_000_000n);
    expect(parseUnits(' 2 ', 18)).toBe(2n * 10n ** 18n);
    expect(parseUnits('1.50', 2)).toBe(150n);
    for (const bad of ['', '-1', '1e3', '0x10', '1,5', 'abc']) expect(() => parseUnits(bad, 18)).toThrow();
    expect(() => parseUnits('0.001', 2)).toThrow('more than 2 decimals');
  });

  it('agrees with ethers both ways', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
        fc.integer({ min: 0, max: 30 }),
        (amount, decimals) => {
          const text = formatUnits(amount, decimals);
          expect(text).toBe(ethersFormat(amount, decimals).replace(/\.0$/, ''));
          expect(parseUnits(text, decimals)).toBe(amount);
          expect(parseUnits(text, decimals)).toBe(ethersParse(text, decimals));
        },
      ),
    );
  });
});
