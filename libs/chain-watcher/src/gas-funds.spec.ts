import { describe, expect, it } from 'vitest';
import { afterRefusal, FUNDED, maySend } from './gas-funds';

const policy = { baseDelayMs: 1_000, maxDelayMs: 8_000 };

describe('gas funds back-off', () => {
  it('always sends while funded', () => {
    expect(maySend(FUNDED, 0, 0n)).toBe(true);
  });

  it('holds sends after a refusal until the back-off ends, doubling it per refusal up to the cap', () => {
    let state = afterRefusal(FUNDED, 0, 5n, policy);
    expect(state).toEqual({ kind: 'short', since: 0, refusals: 1, retryAt: 1_000, balance: 5n });
    expect(maySend(state, 999, 5n)).toBe(false);
    expect(maySend(state, 1_000, 5n)).toBe(true);
    const waits: number[] = [];
    for (let now = 1_000; waits.length < 5; now = state.retryAt) {
      state = afterRefusal(state, now, 5n, policy);
      waits.push(state.retryAt - now);
    }
    expect(waits).toEqual([2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(state.since).toBe(0);
    expect(state.refusals).toBe(6);
  });

  it('lets the next send through at once when the balance rises (funds returned), not when it falls', () => {
    const state = afterRefusal(FUNDED, 0, 5n, policy);
    expect(maySend(state, 10, 4n)).toBe(false);
    expect(maySend(state, 10, 5n)).toBe(false);
    expect(maySend(state, 10, 6n)).toBe(true);
  });
});
