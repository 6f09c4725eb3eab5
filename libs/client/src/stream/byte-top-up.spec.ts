import { describe, expect, it } from 'vitest';
import { chargedAfter, decideByteTopUp, unitsOfBytes } from './byte-top-up';

// The worked example of docs/protocol.md 7.3 "Byte-metered streams": 64 KiB units at 1e9, 16 units a step.
const K = 65_536;
const terms = { unitPrice: 1_000_000_000n, unitBytes: K, step: 16_000_000_000n };
const start = { authorised: 16_000_000_000n, base: 0n, bytes: 0, spent: 16_000_000_000n };

describe('byte-metered top-ups', () => {
  it('counts the last, shorter unit as one', () => {
    expect(unitsOfBytes(0, K)).toBe(0);
    expect(unitsOfBytes(1, K)).toBe(1);
    expect(unitsOfBytes(K, K)).toBe(1);
    expect(unitsOfBytes(K + 1, K)).toBe(2);
    expect(unitsOfBytes(2_500_000, K)).toBe(39);
    expect(chargedAfter(terms, { ...start, bytes: 2_500_000 })).toBe(39_000_000_000n);
  });

  it('tops up S + step once half a step is left: after 8 units, then after 24', () => {
    const budget = 100_000_000_000n;
    expect(decideByteTopUp(terms, { ...start, bytes: 7 * K }, budget)).toEqual({ kind: 'wait' });
    expect(decideByteTopUp(terms, { ...start, bytes: 7 * K + 1 }, budget)).toEqual({
      kind: 'sign',
      balance: 32_000_000_000n,
    });
    const second = { ...start, authorised: 32_000_000_000n, spent: 32_000_000_000n };
    expect(decideByteTopUp(terms, { ...second, bytes: 23 * K }, budget)).toEqual({ kind: 'wait' });
    expect(decideByteTopUp(terms, { ...second, bytes: 24 * K }, budget)).toEqual({
      kind: 'sign',
      balance: 48_000_000_000n,
    });
  });

  it('measures from the charged balance at the head, not from zero', () => {
    const later = { authorised: 116_000_000_000n, base: 100_000_000_000n, bytes: 0, spent: terms.step };
    expect(decideByteTopUp(terms, { ...later, bytes: 7 * K }, 10n ** 12n)).toEqual({ kind: 'wait' });
    expect(decideByteTopUp(terms, { ...later, bytes: 8 * K }, 10n ** 12n)).toMatchObject({ kind: 'sign' });
  });

  it('stops when another step would exceed the budget (whole steps only)', () => {
    const bytes = 8 * K;
    expect(decideByteTopUp(terms, { ...start, bytes }, 32_000_000_000n)).toMatchObject({ kind: 'sign' });
    expect(decideByteTopUp(terms, { ...start, bytes }, 31_999_999_999n)).toEqual({ kind: 'stop' });
  });
});
