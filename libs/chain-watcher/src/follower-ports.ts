import type { ChannelCloseRequestedV1, ChannelEventRetractedV1, ChannelLogEvent } from '@microraiden/events';
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

/** Durable state of the follower; every `commit*` is one database transaction. */
export interface FollowerStore {
  /** The last fully processed block, undefined before the first step. */
  checkpoint(): Promise<BlockRef | undefined>;
  /** Remembered blocks at or below `blockNumber` (any order). */
  rememberedBlocks(atOrBelow: number): Promise<BlockRef[]>;
  /** Ids among `ids` already recorded (queued for Kafka) and not retracted. */
  recordedIds(ids: readonly string[]): Promise<Set<string>>;
  /** Recorded, not retracted events in blocks above `blockNumber`. */
  recordedAbove(blockNumber: number): Promise<ChannelLogEvent[]>;
  /**
   * In one transaction: record `events` and queue them in the outbox for Kafka, remember `blocks`, open dispute
   * tasks for `closeRequests`, and move the checkpoint to `checkpoint`. Needs neither Kafka nor the network.
   */
  commitStep(step: {
    checkpoint: BlockRef;
    blocks: readonly BlockRef[];
    events: readonly ChannelLogEvent[];
    closeRequests: readonly ChannelCloseRequestedV1[];
  }): Promise<void>;
  /**
   * In one transaction: queue `retractions` in the outbox, mark the events they retract retracted, forget blocks
   * above `checkpoint` and rewind to it (undefined: to before the start block).
   */
  commitRewind(rewind: {
    checkpoint: BlockRef | undefined;
    retractions: readonly ChannelEventRetractedV1[];
  }): Promise<void>;
}
