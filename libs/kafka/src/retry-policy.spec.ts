import { MicroraidenError } from '@microraiden/errors';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, backoffDelayMs, isRetryableByDefault } from './retry-policy';

describe('backoffDelayMs', () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 5 };

  it('doubles per attempt within 75-100% jitter and stops at the cap', () => {
    const ranges = [1, 2, 3, 4, 5, 10].map((attempt) => {
      const samples = Array.from({ length: 200 }, () => backoffDelayMs(attempt, policy));
      return [Math.min(...samples), Math.max(...samples)];
    });
    const bounds = [100, 200, 400, 800, 1_000, 1_000];
    ranges.forEach(([min, max], i) => {
      expect(min).toBeGreaterThanOrEqual(bounds[i]! * 0.75);
      expect(max).toBeLessThanOrEqual(bounds[i]!);
    });
  });

  it('retries forever by default: skipping would break per-channel order', () => {
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('isRetryableByDefault', () => {
  it('dead-letters typed domain errors and retries everything else', () => {
    expect(isRetryableByDefault(new MicroraidenError('LEDGER_INVARIANT', 'x'))).toBe(false);
    expect(isRetryableByDefault(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isRetryableByDefault('a string')).toBe(true);
  });
});
