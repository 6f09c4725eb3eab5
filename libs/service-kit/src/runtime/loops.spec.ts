import { sleep } from '@microraiden/persistence';
import { describe, expect, it } from 'vitest';
import { BackgroundTasks } from './background-tasks';
import { backoffMs } from './backoff';
import { every } from './every';
import { retryUntilStarted } from './retry-until-started';

const elapsed = async (work: () => Promise<unknown>) => {
  const started = Date.now();
  await work();
  return Date.now() - started;
};

describe('backoffMs', () => {
  it('doubles from the initial delay and stops at the cap', () => {
    const policy = { initialMs: 100, maxMs: 500 };
    expect([1, 2, 3, 4, 10].map((n) => backoffMs(n, policy))).toEqual([100, 200, 400, 500, 500]);
  });

  it('with jitter stays within [75 %, 100 %] of the delay', () => {
    for (let i = 0; i < 50; i++) {
      const delay = backoffMs(3, { initialMs: 100, maxMs: 10_000, jitter: true });
      expect(delay).toBeGreaterThanOrEqual(300);
      expect(delay).toBeLessThanOrEqual(400);
    }
  });
});

describe('retryUntilStarted', () => {
  it('retries until the work succeeds, telling each failure with its delay', async () => {
    let attempts = 0;
    const failures: Array<[number, number]> = [];
    const started = await retryUntilStarted(
      async () => {
        if (++attempts < 3) throw new Error('down');
      },
      {
        stop: new AbortController().signal,
        delay: { initialMs: 5, maxMs: 8 },
        onFailure: (_err, n, delay) => void failures.push([n, delay]),
      },
    );
    expect(started).toBe(true);
    expect(failures).toEqual([
      [1, 5],
      [2, 8],
    ]);
  });

  it('gives up as soon as it is stopped, even in a long wait', async () => {
    const stop = new AbortController();
    const running = retryUntilStarted(() => Promise.reject(new Error('down')), {
      stop: stop.signal,
      delay: 60_000,
    });
    setTimeout(() => stop.abort(), 20);
    let result: boolean | undefined;
    expect(await elapsed(async () => (result = await running))).toBeLessThan(1_000);
    expect(result).toBe(false);
  });
});

describe('every', () => {
  it('runs rounds until stopped, reports failures with their count, and goes on', async () => {
    const stop = new AbortController();
    const seen: number[] = [];
    let round = 0;
    const loop = every(
      async () => {
        round += 1;
        if (round === 2 || round === 3) throw new Error('blip');
        if (round === 5) stop.abort();
      },
      { stop: stop.signal, intervalMs: 1, onError: (_err, failures) => seen.push(failures) },
    );
    await loop;
    expect(round).toBe(5);
    expect(seen).toEqual([1, 2]);
  });

  it('ends a long pause at once when stopped', async () => {
    const stop = new AbortController();
    const loop = every(async () => undefined, { stop: stop.signal, intervalMs: 60_000, onError: () => {} });
    setTimeout(() => stop.abort(), 20);
    expect(await elapsed(() => loop)).toBeLessThan(1_000);
  });
});

describe('BackgroundTasks', () => {
  it('waits for every task, reports failures instead of rejecting', async () => {
    const errors: string[] = [];
    const tasks = new BackgroundTasks((what, err) => errors.push(`${what}: ${(err as Error).message}`));
    let done = 0;
    tasks.run('slow', async () => {
      await sleep(30, new AbortController().signal);
      done += 1;
      tasks.run('nested', async () => void (done += 1));
    });
    tasks.run('broken', () => Promise.reject(new Error('boom')));
    await tasks.settled();
    expect(done).toBe(2);
    expect(errors).toEqual(['broken: boom']);
  });
});
