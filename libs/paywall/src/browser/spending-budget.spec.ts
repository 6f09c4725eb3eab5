import { describe, expect, it } from 'vitest';
import { decideWithBudget, parseBudget, serializeBudget, spend } from './spending-budget';

const alice = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const bob = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

describe('the spending budget', () => {
  const budget = { sender: alice, limit: 3n, spent: 1n };

  it('pays automatically only within the budget of the same account', () => {
    expect(decideWithBudget(budget, alice.toLowerCase(), 2n)).toEqual({ kind: 'pay' });
    expect(decideWithBudget(budget, alice, 3n)).toEqual({ kind: 'exhausted', left: 2n });
    expect(decideWithBudget(budget, bob, 1n)).toEqual({ kind: 'ask' });
    expect(decideWithBudget(undefined, alice, 1n)).toEqual({ kind: 'ask' });
    expect(decideWithBudget(budget, undefined, 1n)).toEqual({ kind: 'ask' });
  });

  it('adds what each page was charged', () => {
    expect(spend(spend(budget, 1n), 0n)).toEqual({ sender: alice, limit: 3n, spent: 2n });
  });

  it('round-trips through storage and refuses what it did not write', () => {
    expect(parseBudget(serializeBudget(budget))).toEqual(budget);
    for (const bad of [
      null,
      '',
      '{',
      '[]',
      '{"sender":"x","limit":"1.5","spent":"0"}',
      '{"sender":1,"limit":"1","spent":"0"}',
    ]) {
      expect(parseBudget(bad)).toBeUndefined();
    }
  });
});
