import { describe, expect, it } from 'vitest';
import { CliUsageError } from './cli-usage-error';
import { formatTokenAmount, parseTokenAmount } from './token-amount';

const MTK = { decimals: 18, symbol: 'MTK' };

describe('token amounts on the command line', () => {
  it('shows base units with token units beside them', () => {
    expect(formatTokenAmount(12n, MTK)).toBe('12 (0.000000000000000012 MTK)');
    expect(formatTokenAmount(1_500_000_000_000_000_000n, MTK)).toBe('1500000000000000000 (1.5 MTK)');
  });

  it('reads integers as base units and symbol-suffixed decimals as token units', () => {
    expect(parseTokenAmount('1000', 'deposit', MTK)).toBe(1000n);
    expect(parseTokenAmount('0.5MTK', 'deposit', MTK)).toBe(500_000_000_000_000_000n);
    expect(parseTokenAmount('2 mtk', 'deposit', MTK)).toBe(2_000_000_000_000_000_000n);
  });

  it.each(['-1', '1.5', '1e18', '0x10', '01', '1 ETH', '', '0.0000000000000000001MTK'])(
    'refuses %j',
    (text) => {
      expect(() => parseTokenAmount(text, 'deposit', MTK)).toThrow(CliUsageError);
    },
  );
});
