import { describe, expect, it } from 'vitest';
import { ChainLag, type BlockTimestamps } from './chain-lag';

/** A chain of `head + 1` blocks, block n mined at 1000 + 12 n. */
function chainAt(head: { value: number }): BlockTimestamps & { reads: number[] } {
  const reads: number[] = [];
  return {
    reads,
    getBlock(block) {
      const number = block === 'latest' ? head.value : block;
      if (block !== 'latest') reads.push(block);
      return Promise.resolve(number > head.value ? null : { number, timestamp: 1000 + 12 * number });
    },
  };
}

describe('ChainLag', () => {
  it('is unknown while nothing is followed (standby)', async () => {
    expect(await new ChainLag(chainAt({ value: 10 })).seconds()).toBeUndefined();
  });

  it('is the head timestamp minus the followed block timestamp, growing while the follower stalls', async () => {
    const head = { value: 10 };
    const chain = chainAt(head);
    const lag = new ChainLag(chain);
    lag.follow(9);
    expect(await lag.seconds()).toBe(12);
    head.value = 20; // the chain moved on, the follower did not
    expect(await lag.seconds()).toBe(132);
    lag.follow(20);
    expect(await lag.seconds()).toBe(0);
    expect(chain.reads).toEqual([9, 20]); // the followed block's timestamp is read once
  });

  it('is unknown when the followed block is gone (a reorg below it)', async () => {
    const lag = new ChainLag(chainAt({ value: 5 }));
    lag.follow(8);
    expect(await lag.seconds()).toBeUndefined();
  });
});
