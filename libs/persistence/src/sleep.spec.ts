import { describe, expect, it } from 'vitest';
import { sleep } from './sleep';

const elapsed = async (work: () => Promise<unknown>) => {
  const started = Date.now();
  await work();
  return Date.now() - started;
};

describe('sleep', () => {
  it('waits the given time', async () => {
    expect(await elapsed(() => sleep(50, new AbortController().signal))).toBeGreaterThanOrEqual(45);
  });

  it('wakes at once when stopped, and does not wait at all once stopped', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 20);
    expect(await elapsed(() => sleep(10_000, stop.signal))).toBeLessThan(1_000);
    expect(await elapsed(() => sleep(10_000, stop.signal))).toBeLessThan(50);
  });
});
