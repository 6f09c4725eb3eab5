import { describe, expect, it } from 'vitest';
import { partitionLags } from './partition-lag';

const offsets = (committed: bigint) => [{ topic: 't', partition: 0, low: 5n, high: 20n, committed }];

describe('partitionLags', () => {
  it('measures from the position reached in memory first', () => {
    expect(partitionLags(offsets(10n), new Map([['t:0', 18n]]), true)).toEqual([
      { topic: 't', partition: 0, highWatermark: 20n, position: 18n, lag: 2n },
    ]);
  });

  it('falls back to the committed offset, then to where a new group starts', () => {
    expect(partitionLags(offsets(10n), new Map(), true)[0]).toMatchObject({ position: 10n, lag: 10n });
    expect(partitionLags(offsets(-1n), new Map(), true)[0]).toMatchObject({ position: 5n, lag: 15n });
    expect(partitionLags(offsets(-1n), new Map(), false)[0]).toMatchObject({ position: 20n, lag: 0n });
  });

  it('never reports a negative lag', () => {
    expect(partitionLags(offsets(10n), new Map([['t:0', 25n]]), true)[0]!.lag).toBe(0n);
  });
});
