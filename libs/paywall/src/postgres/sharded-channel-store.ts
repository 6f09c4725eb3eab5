import type { MicroraidenEvent } from '@microraiden/events';
import type { Hex32 } from '@microraiden/protocol';
import type { Pool } from 'pg';
import type { ChannelSnapshot, ProofToAccept } from '../core/channel-snapshot';
import { shardOfChannel } from '../core/channel-shard';
import type { ChannelStore } from '../core/channel-store';
import { PgChannelStore, type PgChannelStoreOptions } from './pg-channel-store';

/**
 * A ChannelStore over several shards, each a whole ChannelStore of its own (in production one PgChannelStore per
 * Postgres database): every call goes to the one shard {@link shardOfChannel} names for its channel id. A channel's
 * row, its compare-and-set and its outbox rows therefore live in one database, so each acceptance is still one
 * local transaction and exactly-once holds per shard; nothing ever spans two shards.
 */
export class ShardedChannelStore implements ChannelStore {
  constructor(private readonly shards: readonly ChannelStore[]) {
    if (shards.length === 0) throw new RangeError('a sharded channel store needs at least one shard');
  }

  /** The shard holding `channelId` (its index in the list the store was built from). */
  shardOf(channelId: string): number {
    return shardOfChannel(channelId, this.shards.length);
  }

  snapshot(channelId: Hex32): Promise<ChannelSnapshot | undefined> {
    return this.storeOf(channelId).snapshot(channelId);
  }

  accept(proof: ProofToAccept, event: MicroraidenEvent): Promise<boolean> {
    return this.storeOf(proof.channelId).accept(proof, event);
  }

  charge(
    channelId: Hex32,
    expectedCharged: bigint,
    amount: bigint,
    event: MicroraidenEvent,
  ): Promise<boolean> {
    return this.storeOf(channelId).charge(channelId, expectedCharged, amount, event);
  }

  markClosing(channelId: Hex32, balance: bigint, event: MicroraidenEvent): Promise<boolean> {
    return this.storeOf(channelId).markClosing(channelId, balance, event);
  }

  private storeOf(channelId: string): ChannelStore {
    return this.shards[this.shardOf(channelId)]!;
  }
}

/**
 * The channel store over one database per shard, in shard order: with one pool exactly today's PgChannelStore, with
 * several a ShardedChannelStore of one PgChannelStore each (its own micro-batches and acceptance transactions).
 */
export function channelStoreOver(pools: readonly Pool[], options: PgChannelStoreOptions = {}): ChannelStore {
  if (pools.length === 1) return new PgChannelStore(pools[0]!, options);
  return new ShardedChannelStore(pools.map((pool) => new PgChannelStore(pool, options)));
}
