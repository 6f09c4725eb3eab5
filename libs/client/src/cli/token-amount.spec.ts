import { describe, expect, it } from 'vitest';
import { CliUsageError } from './cli-usage-error';
import { formatTokenAmount, parseTokenAmount } from './token-amount';

const MTK = { decimals: 18, symbol: 'MTK' };

describe('token amounts on the command line', () => {
  it('shows token units with base units beside them', () => {
    expect(formatTokenAmount(12n, MTK)).toBe('0.000000000000000012 MTK (12 base units)');
    expect(formatTokenAmount(1_500_000_000_000_000_000n, MTK)).toBe(
      '1.5 MTK (1500000000000000000 base units)',
    );
    expect(formatTokenAmount(2_000_000_000_000_000_000n, MTK)).toBe('2 MTK (2000000000000000000 base units)');
    expect(formatTokenAmount(0n, MTK)).toBe('0 MTK (0 base units)');
    expect(formatTokenAmount(7n, undefined)).toBe('7 base units');
  });

  it('reads integers as base units and symbol-suffixed decimals as token units', () => {
    expect(parseTokenAmount('1000', 'deposit', MTK)).toBe(1000n);
    expect(parseTokenAmount('0.5MTK', 'deposit', MTK)).toBe(500_000_000_000_000_000n);
    expect(parseTokenAmount('2 mtk', 'deposit', MTK)).toBe(2_000_000_000_000_000_000n);
  });

  it('names the token when the amount names another symbol', () => {
    expect(() => parseTokenAmount('1ETH', 'deposit', MTK)).toThrow(
      'deposit "1ETH" names ETH, but the channel token is MTK',
    );
  });

  it.each(['-1', '1.5', '1e18', '0x10', '01', '1 ETH', '', '0.0000000000000000001MTK'])(
    'refuses %j',
    (text) => {
      expect(() => parseTokenAmount(text, 'deposit', MTK)).toThrow(CliUsageError);
    },
  );
});
