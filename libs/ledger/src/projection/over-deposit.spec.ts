import { describe, expect, it } from 'vitest';
import { isAtRiskOverDeposit, overDeposit } from './over-deposit';

describe('overDeposit', () => {
  it('is the accepted balance above the confirmed deposit, 0 while the deposit covers it', () => {
    expect(overDeposit({ balance: 12n, deposit: 5n })).toBe(7n);
    expect(overDeposit({ balance: 5n, deposit: 5n })).toBe(0n);
    expect(overDeposit({ balance: 3n, deposit: 20n })).toBe(0n);
  });

  it('counts a channel whose creation was retracted (deposit 0) with its whole balance', () => {
    expect(overDeposit({ balance: 12n, deposit: 0n })).toBe(12n);
  });
});

describe('isAtRiskOverDeposit', () => {
  it('flags unsettled channels over their deposit, including pending ones (creation retracted)', () => {
    for (const status of ['pending', 'open', 'closing'] as const)
      expect(isAtRiskOverDeposit({ status, balance: 12n, deposit: 5n })).toBe(true);
    expect(isAtRiskOverDeposit({ status: 'open', balance: 5n, deposit: 5n })).toBe(false);
  });

  it('no longer counts a settled channel: what was not paid is lost, not at risk', () => {
    expect(isAtRiskOverDeposit({ status: 'settled', balance: 12n, deposit: 5n })).toBe(false);
  });
});
