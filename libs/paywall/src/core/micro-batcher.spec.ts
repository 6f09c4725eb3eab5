import { describe, expect, it } from 'vitest';
import { MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  it('coalesces concurrent calls and keeps results in order', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (inputs) => {
        batches.push([...inputs]);
        return inputs.map((n) => n * 10);
      },
      { maxBatch: 3 },
    );
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit(n)));
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('never puts two inputs with the same key into one batch', async () => {
    const batches: string[][] = [];
    const batcher = new MicroBatcher<string, string>(
      async (inputs) => {
        batches.push([...inputs]);
        return inputs;
      },
      { maxBatch: 10, keyOf: (s) => s[0]! },
    );
    await Promise.all(['a1', 'a2', 'b1', 'a3'].map((s) => batcher.submit(s)));
    expect(batches).toEqual([['a1', 'b1'], ['a2'], ['a3']]);
  });

  it('rejects every call of a failed batch and keeps serving later ones', async () => {
    let fail = true;
    const batcher = new MicroBatcher<number, number>(
      async (inputs) => {
        if (fail) throw new Error('down');
        return inputs;
      },
      { maxBatch: 10 },
    );
    await expect(Promise.all([batcher.submit(1), batcher.submit(2)])).rejects.toThrow('down');
    fail = false;
    expect(await batcher.submit(3)).toBe(3);
  });

  it('runs up to maxInFlight batches at once, but never two batches holding the same key', async () => {
    const releases: Array<() => void> = [];
    const started: string[][] = [];
    let running = 0;
    let peak = 0;
    const batcher = new MicroBatcher<string, string>(
      async (inputs) => {
        started.push([...inputs]);
        running += 1;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running -= 1;
        return inputs;
      },
      { maxBatch: 10, keyOf: (s) => s[0]!, maxInFlight: 2 },
    );
    const first = batcher.submit('a1');
    await new Promise((resolve) => setImmediate(resolve));
    const rest = ['b1', 'a2'].map((s) => batcher.submit(s));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    // b1 overlaps a1's batch; a2 waits for a1 to finish although a slot is free.
    expect(started).toEqual([['a1'], ['b1']]);
    expect(peak).toBe(2);
    for (let i = 0; i < 10 && started.length < 3; i++) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(started).toEqual([['a1'], ['b1'], ['a2']]);
    releases.forEach((release) => release());
    for (let i = 0; i < 5; i++) {
      releases.forEach((release) => release());
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all([first, ...rest])).toEqual(['a1', 'b1', 'a2']);
  });
});
