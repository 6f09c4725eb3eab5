import type { Hex32 } from '@microraiden/protocol';
import type { Pool } from 'pg';
import {
  ChannelQueries,
  type ChannelFilter,
  type ChannelPage,
  type ChannelSummary,
  type GatewayStats,
} from './channel-queries';
import { shardOfChannel } from '../core/channel-shard';

/** The management API's reads: what ChannelQueries answers for one database and ShardedChannelQueries for several. */
export interface ChannelReads {
  list(filter: ChannelFilter): Promise<ChannelPage>;
  find(channelId: Hex32): Promise<ChannelSummary | undefined>;
  stats(): Promise<GatewayStats>;
}

/**
 * The management reads over every shard, merged so the answers are the ones one database holding every channel
 * would give: a page is the first `limit` channels by id over all shards, with the same cursor; totals are sums.
 */
export class ShardedChannelQueries implements ChannelReads {
  constructor(private readonly shards: readonly ChannelReads[]) {
    if (shards.length === 0) throw new RangeError('sharded queries need at least one shard');
  }

  async list(filter: ChannelFilter): Promise<ChannelPage> {
    return mergeChannelPages(await Promise.all(this.shards.map((shard) => shard.list(filter))), filter.limit);
  }

  find(channelId: Hex32): Promise<ChannelSummary | undefined> {
    return this.shards[shardOfChannel(channelId, this.shards.length)]!.find(channelId);
  }

  async stats(): Promise<GatewayStats> {
    return sumGatewayStats(await Promise.all(this.shards.map((shard) => shard.stats())));
  }
}

/**
 * One page out of each shard's page for the same filter: every shard returned its first `limit` channels after the
 * cursor (and a cursor iff it had more), so the first `limit` of their union by id are the fleet's first `limit`, and
 * there are more iff the union holds more than `limit` or some shard had more.
 */
export function mergeChannelPages(pages: readonly ChannelPage[], limit: number): ChannelPage {
  const all = pages.flatMap((page) => page.channels);
  all.sort((a, b) => (a.channelId < b.channelId ? -1 : a.channelId > b.channelId ? 1 : 0));
  const channels = all.slice(0, limit);
  const more = all.length > limit || pages.some((page) => page.nextCursor !== null);
  return { channels, nextCursor: more ? (channels[channels.length - 1]?.channelId ?? null) : null };
}

/** The fleet's totals: each shard's counts and amounts added up. */
export function sumGatewayStats(shards: readonly GatewayStats[]): GatewayStats {
  return {
    channels: {
      open: shards.reduce((n, s) => n + s.channels.open, 0),
      closing: shards.reduce((n, s) => n + s.channels.closing, 0),
      settled: shards.reduce((n, s) => n + s.channels.settled, 0),
    },
    paidRequests: shards.reduce((n, s) => n + s.paidRequests, 0n),
    revenue: shards.reduce((n, s) => n + s.revenue, 0n),
    fundsAtRisk: shards.reduce((n, s) => n + s.fundsAtRisk, 0n),
  };
}

/** The management reads over one database per shard, in shard order (one pool: exactly today's ChannelQueries). */
export function channelReadsOver(pools: readonly Pool[]): ChannelReads {
  if (pools.length === 1) return new ChannelQueries(pools[0]!);
  return new ShardedChannelQueries(pools.map((pool) => new ChannelQueries(pool)));
}
