import { createHash } from 'node:crypto';

/**
 * Which of `shardCount` databases holds a channel: the one place a channel id is mapped to a shard (the store, the
 * projector and the management reads all ask it). Pure and stable: the same id and count give the same shard in
 * every replica, process and release, so a channel lives in exactly one shard and exactly-once acceptance holds per
 * shard.
 *
 * The id is hashed (SHA-256 of its lowercase hex, first 8 bytes) and the hash placed by jump consistent hashing
 * (Lamping and Veach, 2014) rather than taken modulo the count: going from n to n + 1 shards moves only ~1/(n + 1) of
 * the channels, and only into the new shard; with a modulo nearly every channel would move. It still moves some:
 * adding a shard needs the migration of docs/scaling.md, never a bare config change.
 */
export function shardOfChannel(channelId: string, shardCount: number): number {
  if (!Number.isInteger(shardCount) || shardCount < 1)
    throw new RangeError(`shardCount must be a positive integer, got ${shardCount}`);
  if (shardCount === 1) return 0;
  const digest = createHash('sha256').update(channelId.toLowerCase()).digest();
  return jumpConsistentHash(digest.readBigUInt64BE(0), shardCount);
}

const UINT64 = (1n << 64n) - 1n;
const TWO_POW_31 = 2 ** 31;

/** Jump consistent hash of a 64-bit key into [0, buckets), as published (its LCG on uint64, then a float step). */
export function jumpConsistentHash(key: bigint, buckets: number): number {
  let k = key & UINT64;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    k = (k * 2862933555777941757n + 1n) & UINT64;
    j = Math.floor((b + 1) * (TWO_POW_31 / Number((k >> 33n) + 1n)));
  }
  return b;
}
