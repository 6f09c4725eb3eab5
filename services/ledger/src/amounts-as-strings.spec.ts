import { describe, expect, it } from 'vitest';
import { amountsAsStrings } from './amounts-as-strings';

describe('amountsAsStrings', () => {
  it('writes bigints above 2^53 exactly, dates as ISO, deeply', () => {
    const big = 2n ** 200n + 1n;
    expect(
      amountsAsStrings({
        a: big,
        list: [{ b: 1n }],
        at: new Date('2025-01-01T00:00:00.000Z'),
        n: 3,
        s: null,
      }),
    ).toEqual({ a: big.toString(), list: [{ b: '1' }], at: '2025-01-01T00:00:00.000Z', n: 3, s: null });
  });
});
