import { describe, expect, it } from 'vitest';
import { decideRestart, DEFAULT_RESTART_POLICY, type RestartPolicy } from './restart-policy';

const policy: RestartPolicy = {
  exitOnFailure: false,
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  stableAfterMs: 60_000,
};

describe('decideRestart', () => {
  it('restarts a first death after the initial delay', () => {
    expect(decideRestart({ ranMs: 5_000, previousFailures: 0 }, policy)).toEqual({
      action: 'restart',
      delayMs: 1_000,
      failures: 1,
    });
  });

  it('doubles the delay for each death in a row, up to the cap', () => {
    const delays: number[] = [];
    let previousFailures = 0;
    for (let i = 0; i < 8; i++) {
      const decision = decideRestart({ ranMs: 100, previousFailures }, policy);
      if (decision.action !== 'restart') throw new Error('expected a restart');
      delays.push(decision.delayMs);
      previousFailures = decision.failures;
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('starts a new series after a run of stableAfterMs', () => {
    expect(decideRestart({ ranMs: 60_000, previousFailures: 5 }, policy)).toMatchObject({
      delayMs: 1_000,
      failures: 1,
    });
    expect(decideRestart({ ranMs: 59_999, previousFailures: 5 }, policy)).toMatchObject({
      delayMs: 30_000,
      failures: 6,
    });
  });

  it('stops the stack instead with --exit-on-failure', () => {
    expect(
      decideRestart({ ranMs: 100_000, previousFailures: 0 }, { ...policy, exitOnFailure: true }),
    ).toEqual({
      action: 'stop-stack',
    });
  });

  it('restarts by default', () => {
    expect(decideRestart({ ranMs: 0, previousFailures: 0 }, DEFAULT_RESTART_POLICY).action).toBe('restart');
  });
});
