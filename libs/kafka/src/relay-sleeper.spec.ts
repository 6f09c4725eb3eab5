import { describe, expect, it } from 'vitest';
import { createSleeper } from './relay-sleeper';

const elapsed = async (work: () => Promise<void>) => {
  const start = performance.now();
  await work();
  return performance.now() - start;
};

describe('relay sleeper', () => {
  it('sleeps the time asked unless woken', async () => {
    const sleeper = createSleeper();
    expect(await elapsed(() => sleeper.sleep(30))).toBeGreaterThanOrEqual(25);
    const woken = sleeper.sleep(10_000);
    sleeper.wake();
    expect(await elapsed(() => woken)).toBeLessThan(1_000);
  });

  it('keeps a wake-up that came while awake for the next sleep, once', async () => {
    const sleeper = createSleeper();
    sleeper.wake();
    sleeper.wake();
    expect(await elapsed(() => sleeper.sleep(10_000))).toBeLessThan(1_000);
    // Consumed: the following sleep runs its course.
    expect(await elapsed(() => sleeper.sleep(30))).toBeGreaterThanOrEqual(25);
  });
});
