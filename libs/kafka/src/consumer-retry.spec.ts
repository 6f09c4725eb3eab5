import { MicroraidenError } from '@microraiden/errors';
import { describe, expect, it } from 'vitest';
import { createRetrier, decideRetry, Interrupted } from './consumer-retry';
import { isRetryableByDefault, type RetryPolicy } from './retry-policy';

const policy: RetryPolicy = { initialDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 3 };
const decide = (err: unknown, n: number, context = {}) =>
  decideRetry(err, n, { what: 'x', ...context }, policy, isRetryableByDefault);

class DomainError extends MicroraidenError<'CHANNEL_BROKEN'> {}

describe('decideRetry', () => {
  it('retries a transient failure with the policy backoff (jittered, within 75-100 %)', () => {
    const decision = decide(new Error('connection lost'), 2);
    expect(decision.retry).toBe(true);
    const delay = (decision as { delayMs: number }).delayMs;
    expect(delay).toBeGreaterThanOrEqual(150);
    expect(delay).toBeLessThanOrEqual(200);
  });

  it('gives up at once on a domain error, with its code', () => {
    expect(decide(new DomainError('CHANNEL_BROKEN', 'broken'), 1)).toEqual({
      retry: false,
      code: 'CHANNEL_BROKEN',
      message: 'broken',
    });
  });

  it('gives up on a non-retryable plain error as HANDLER_FAILED', () => {
    const never = decideRetry('boom', 1, { what: 'x' }, policy, () => false);
    expect(never).toEqual({ retry: false, code: 'HANDLER_FAILED', message: 'boom' });
  });

  it('gives up once the attempts are used up, unless unlimited', () => {
    expect(decide(new Error('down'), 3)).toEqual({
      retry: false,
      code: 'HANDLER_RETRIES_EXHAUSTED',
      message: '3 attempts failed; last: down',
    });
    expect(decide(new Error('down'), 3, { unlimited: true }).retry).toBe(true);
  });

  it('retries even a domain error when told to retry everything (dead-lettering, seeking)', () => {
    expect(decide(new DomainError('CHANNEL_BROKEN', 'broken'), 1, { retryAll: true }).retry).toBe(true);
  });
});

describe('createRetrier', () => {
  it('ends a backoff pause at once when stopped, without another attempt', async () => {
    const stop = new AbortController();
    const retrier = createRetrier({
      policy: { initialDelayMs: 30_000, maxDelayMs: 30_000, maxAttempts: Number.POSITIVE_INFINITY },
      isRetryable: () => true,
      log: () => setTimeout(() => stop.abort(), 20),
      groupId: 'g',
      stop: stop.signal,
    });
    let attempts = 0;
    const started = Date.now();
    const outcome = retrier.attempt(
      async () => {
        attempts += 1;
        throw new Error('broker down');
      },
      { what: 'x' },
      () => Promise.resolve(),
      () => true,
    );
    await expect(outcome).rejects.toBeInstanceOf(Interrupted);
    // The pause sleeps in 1 s heartbeat slices: waking only between slices would take 1 s.
    expect(Date.now() - started).toBeLessThan(500);
    expect(attempts).toBe(1);
  });
});
