import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jumpConsistentHash, shardOfChannel } from './channel-shard';

const channelIds = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((b) => `0x${Buffer.from(b).toString('hex')}`);

describe('jumpConsistentHash', () => {
  // The published vectors other implementations (Go, Python, Elixir, C) check against.
  it.each([
    [1n, 1, 0],
    [42n, 57, 43],
    [0xdead10ccn, 1, 0],
    [0xdead10ccn, 666, 361],
    [256n, 1024, 520],
    [4n, 2, 1],
    [7n, 2, 0],
    [1n, 128, 55],
    [129n, 128, 120],
    [(1n << 64n) - 1n, 128, 92],
  ])('places key %s among %i buckets in bucket %i', (key, buckets, expected) => {
    expect(jumpConsistentHash(key, buckets)).toBe(expected);
  });
});

describe('shardOfChannel', () => {
  it('gives every channel shard 0 when there is one database', () => {
    fc.assert(fc.property(channelIds, (id) => shardOfChannel(id, 1) === 0));
  });

  it('is stable: fixed ids keep their shards (changing these moves channels between databases)', () => {
    const id = (byte: string) => `0x${byte.repeat(32)}`;
    const ids = [id('00'), id('11'), id('ab'), id('ff')];
    expect(ids.map((c) => shardOfChannel(c, 2))).toEqual([1, 1, 0, 1]);
    expect(ids.map((c) => shardOfChannel(c, 3))).toEqual([1, 1, 2, 1]);
  });

  it('ignores the case of the hex digits', () => {
    fc.assert(
      fc.property(
        channelIds,
        (id) => shardOfChannel(id.toUpperCase().replace('0X', '0x'), 5) === shardOfChannel(id, 5),
      ),
    );
  });

  it('stays within [0, count)', () => {
    fc.assert(
      fc.property(channelIds, fc.integer({ min: 1, max: 64 }), (id, count) => {
        const shard = shardOfChannel(id, count);
        return Number.isInteger(shard) && shard >= 0 && shard < count;
      }),
    );
  });

  it('moves a channel only into the new shard when one is added', () => {
    fc.assert(
      fc.property(channelIds, fc.integer({ min: 1, max: 32 }), (id, count) => {
        const before = shardOfChannel(id, count);
        const after = shardOfChannel(id, count + 1);
        return after === before || after === count;
      }),
    );
  });

  it('spreads channels evenly', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 8_000; i++) counts[shardOfChannel(`0x${randomBytes(32).toString('hex')}`, 4)]!++;
    // 2,000 expected per shard; the standard deviation is ~39, so 300 off is a broken hash, not chance.
    for (const n of counts) expect(Math.abs(n - 2_000)).toBeLessThan(300);
  });

  it('refuses a count that is not a positive integer', () => {
    expect(() => shardOfChannel('0x00', 0)).toThrow(RangeError);
    expect(() => shardOfChannel('0x00', 1.5)).toThrow(RangeError);
  });
});
