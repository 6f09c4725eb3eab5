import type { ChannelCloseRequestedV1, ChannelEvent, ChannelLogEvent } from '@microraiden/events';
import type { BlockHeader, BlockRef, RawLog } from './block-ref';

/** What the follower reads from the chain. */
export interface ChainReader {
  /** The latest block number. */
  headNumber(): Promise<number>;
  /** The canonical block at `blockNumber`, undefined if the chain is not that long (any more). */
  header(blockNumber: number): Promise<BlockHeader | undefined>;
  /** Logs of `address` in `[fromBlock, toBlock]` whose topic0 is one of `topics`. */
  logs(filter: {
    address: string;
    fromBlock: number;
    toBlock: number;
    topics: readonly string[];
  }): Promise<RawLog[]>;
}

/** Publishes to Kafka; resolves only once the brokers acknowledged every event. */
export interface EventPublisher {
  publish(events: readonly ChannelEvent[]): Promise<void>;
}

/** A published chain event the follower still remembers (it may have to retract it). */
export interface PublishedEvent {
  readonly event: ChannelLogEvent;
}

/** Durable state of the follower; every `commit*` is one database transaction. */
export interface FollowerStore {
  /** The last fully processed block, undefined before the first step. */
  checkpoint(): Promise<BlockRef | undefined>;
  /** Remembered blocks at or below `blockNumber` (any order). */
  rememberedBlocks(atOrBelow: number): Promise<BlockRef[]>;
  /** Ids among `ids` already published and not retracted. */
  publishedIds(ids: readonly string[]): Promise<Set<string>>;
  /** Published, not retracted events in blocks above `blockNumber`. */
  publishedAbove(blockNumber: number): Promise<ChannelLogEvent[]>;
  /**
   * After Kafka acked `published`: remember them and `blocks`, open dispute tasks for `closeRequests`, and move
   * the checkpoint to `checkpoint`.
   */
  commitStep(step: {
    checkpoint: BlockRef;
    blocks: readonly BlockRef[];
    published: readonly ChannelLogEvent[];
    closeRequests: readonly ChannelCloseRequestedV1[];
  }): Promise<void>;
  /** After Kafka acked the retractions: mark `retractedIds` retracted, forget blocks above, rewind the checkpoint. */
  commitRewind(rewind: { checkpoint: BlockRef | undefined; retractedIds: readonly string[] }): Promise<void>;
}
