import { describe, expect, it } from 'vitest';
import { retryTransient } from './retry-transient';

const lockTimeout = () =>
  Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' });

describe('retryTransient', () => {
  it('retries transient failures with doubling, capped delays until the work succeeds', async () => {
    let calls = 0;
    const delays: number[] = [];
    const result = await retryTransient(
      async () => {
        calls += 1;
        if (calls < 5) throw lockTimeout();
        return 'migrated';
      },
      { initialDelayMs: 1, maxDelayMs: 4, onRetry: (_err, _attempt, delay) => delays.push(delay) },
    );
    expect(result).toBe('migrated');
    expect(delays).toEqual([1, 2, 4, 4]);
  });

  it('throws any other error at once', async () => {
    let calls = 0;
    const wrong = Object.assign(new Error('password authentication failed'), { code: '28P01' });
    await expect(
      retryTransient(async () => {
        calls += 1;
        throw wrong;
      }),
    ).rejects.toBe(wrong);
    expect(calls).toBe(1);
  });

  it('gives up with the last error once stopped', async () => {
    let calls = 0;
    const stop = new AbortController();
    await expect(
      retryTransient(
        async () => {
          calls += 1;
          if (calls >= 3) stop.abort();
          throw lockTimeout();
        },
        { initialDelayMs: 1, stop: stop.signal },
      ),
    ).rejects.toMatchObject({ code: '55P03' });
    expect(calls).toBe(3);
  });

  it('ends a wait under way at once when stopped, with the last error and no further attempt', async () => {
    let calls = 0;
    const stop = new AbortController();
    const started = Date.now();
    const outcome = retryTransient(
      async () => {
        calls += 1;
        throw lockTimeout();
      },
      { initialDelayMs: 10_000, stop: stop.signal, onRetry: () => setTimeout(() => stop.abort(), 20) },
    );
    await expect(outcome).rejects.toMatchObject({ code: '55P03' });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(calls).toBe(1);
  });
});
