import { isChannelEvent, type MicroraidenEvent } from '@microraiden/events';
import type { Pool } from 'pg';
import {
  ChannelEventProjector,
  type ProjectedDeployment,
  type ProjectionOutcome,
} from './channel-event-projector';
import { shardOfChannel } from '../core/channel-shard';

/** What the channel follower needs of a projection: apply one consumed event. */
export interface ChannelProjector {
  apply(event: MicroraidenEvent): Promise<ProjectionOutcome>;
}

/**
 * Projects channel events into the shard that holds each channel ({@link shardOfChannel} of the event's channel id),
 * so a channel's chain facts land beside its accepted balance; each shard's projector keeps its own idempotence
 * (`gateway_channel_events`) and per-channel lock. Events that name no channel are ignored, as by one projector.
 */
export class ShardedChannelEventProjector implements ChannelProjector {
  constructor(private readonly shards: readonly ChannelEventProjector[]) {
    if (shards.length === 0) throw new RangeError('a sharded projector needs at least one shard');
  }

  async apply(event: MicroraidenEvent): Promise<ProjectionOutcome> {
    if (!isChannelEvent(event)) return 'ignored';
    return this.shards[shardOfChannel(event.data.channelId, this.shards.length)]!.apply(event);
  }
}

/** The projector over one database per shard, in shard order (one pool: exactly today's ChannelEventProjector). */
export function channelProjectorOver(
  pools: readonly Pool[],
  deployment: ProjectedDeployment,
): ChannelProjector {
  if (pools.length === 1) return new ChannelEventProjector(pools[0]!, deployment);
  return new ShardedChannelEventProjector(pools.map((pool) => new ChannelEventProjector(pool, deployment)));
}
