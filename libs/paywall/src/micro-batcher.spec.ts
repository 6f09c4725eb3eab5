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
});
