import { describe, expect, it } from 'vitest';
import { findCommonAncestor } from './common-ancestor';

const canonical: Record<number, string> = { 1: '0xa1', 2: '0xa2', 3: '0xb3', 4: '0xb4' };
const hashAt = async (n: number) => canonical[n];

describe('findCommonAncestor', () => {
  it('returns the highest remembered block still on the chain', async () => {
    const remembered = [
      { number: 1, hash: '0xa1' },
      { number: 3, hash: '0xa3' },
      { number: 2, hash: '0xA2' },
      { number: 4, hash: '0xa4' },
    ];
    expect(await findCommonAncestor(remembered, hashAt)).toEqual({ number: 2, hash: '0xA2' });
  });

  it('walks back only as far as needed', async () => {
    const asked: number[] = [];
    const ancestor = await findCommonAncestor(
      [
        { number: 3, hash: '0xb3' },
        { number: 4, hash: '0xa4' },
        { number: 1, hash: '0xa1' },
      ],
      async (n) => (asked.push(n), canonical[n]),
    );
    expect(ancestor?.number).toBe(3);
    expect(asked).toEqual([4, 3]);
  });

  it('is undefined when the reorg is deeper than what is remembered', async () => {
    expect(await findCommonAncestor([{ number: 2, hash: '0xdead' }], hashAt)).toBeUndefined();
    expect(await findCommonAncestor([], hashAt)).toBeUndefined();
  });

  it('treats a block above the new head as not canonical', async () => {
    expect(
      await findCommonAncestor(
        [
          { number: 9, hash: '0xa9' },
          { number: 1, hash: '0xa1' },
        ],
        hashAt,
      ),
    ).toEqual({
      number: 1,
      hash: '0xa1',
    });
  });
});
