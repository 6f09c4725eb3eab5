import type { ChannelCloseRequestedV1, ChannelEvent, ChannelLogEvent } from '@microraiden/events';
import type { BlockHeader, BlockRef, RawLog } from '../block-ref';
import type { ChainReader, FollowerStore } from '../follower-ports';
import { hashOf } from './channel-log-builder';

interface FakeBlock extends BlockHeader {
  logs: RawLog[];
}

/** A chain in memory that can mine blocks with logs and reorganise, for follower unit tests. */
export class InMemoryChain implements ChainReader {
  readonly blocks: FakeBlock[] = [];
  private forks = 0;

  constructor() {
    this.blocks.push({
      number: 0,
      hash: hashOf('genesis'),
      parentHash: hashOf('none'),
      timestamp: 1_700_000_000,
      logs: [],
    });
  }

  /** Mine one block whose logs are made by `makeLogs(number, hash)`. */
  mine(makeLogs: (position: { blockNumber: number; blockHash: string }) => RawLog[] = () => []): BlockHeader {
    const parent = this.blocks[this.blocks.length - 1]!;
    const number = parent.number + 1;
    const hash = hashOf(`block:${number}:fork${this.forks}`);
    const block = {
      number,
      hash,
      parentHash: parent.hash,
      timestamp: parent.timestamp + 12,
      logs: [] as RawLog[],
    };
    block.logs = makeLogs({ blockNumber: number, blockHash: hash });
    this.blocks.push(block);
    return block;
  }

  /** Mine `count` empty blocks. */
  mineEmpty(count: number): void {
    for (let i = 0; i < count; i++) this.mine();
  }

  /** Drop the top `depth` blocks; the next mined ones form a new fork with new hashes. */
  dropTop(depth: number): void {
    this.blocks.splice(this.blocks.length - depth, depth);
    this.forks++;
  }

  async headNumber(): Promise<number> {
    return this.blocks.length - 1;
  }

  async header(blockNumber: number): Promise<BlockHeader | undefined> {
    const block = this.blocks[blockNumber];
    return (
      block && {
        number: block.number,
        hash: block.hash,
        parentHash: block.parentHash,
        timestamp: block.timestamp,
      }
    );
  }

  async logs(filter: { address: string; fromBlock: number; toBlock: number }): Promise<RawLog[]> {
    return this.blocks
      .slice(filter.fromBlock, filter.toBlock + 1)
      .flatMap((block) => block.logs)
      .filter((log) => log.address.toLowerCase() === filter.address.toLowerCase());
  }
}

/** Publishes to Kafka; resolves only once the brokers acknowledged every event (the outbox relay's side). */
export interface EventPublisher {
  publish(events: readonly ChannelEvent[]): Promise<void>;
}

/** A {@link FollowerStore} in memory, with an outbox that {@link relay} drains like libs/kafka's relay. */
export class InMemoryFollowerStore implements FollowerStore {
  saved: BlockRef | undefined;
  readonly blocks = new Map<number, BlockRef>();
  readonly recorded = new Map<string, { event: ChannelLogEvent; retracted: boolean }>();
  readonly closeRequests: ChannelCloseRequestedV1[] = [];
  /** Every event queued for Kafka, in queue order; the first `relayed` of them are published. */
  readonly outbox: ChannelEvent[] = [];
  relayed = 0;

  async checkpoint() {
    return this.saved;
  }
  async rememberedBlocks(atOrBelow: number) {
    return [...this.blocks.values()].filter((b) => b.number <= atOrBelow);
  }
  async recordedIds(ids: readonly string[]) {
    return new Set(ids.filter((id) => this.recorded.get(id)?.retracted === false));
  }
  async recordedAbove(blockNumber: number) {
    return [...this.recorded.values()]
      .filter((p) => !p.retracted && p.event.data.blockNumber > blockNumber)
      .map((p) => p.event);
  }
  async commitStep(step: Parameters<FollowerStore['commitStep']>[0]) {
    for (const event of step.events) this.recorded.set(event.id, { event, retracted: false });
    this.outbox.push(...step.events);
    for (const block of step.blocks) this.blocks.set(block.number, block);
    this.closeRequests.push(...step.closeRequests);
    this.saved = step.checkpoint;
  }
  async commitRewind(rewind: Parameters<FollowerStore['commitRewind']>[0]) {
    this.outbox.push(...rewind.retractions);
    for (const r of rewind.retractions) this.recorded.get(r.data.retractedEventId)!.retracted = true;
    for (const n of [...this.blocks.keys()]) if (n > (rewind.checkpoint?.number ?? -1)) this.blocks.delete(n);
    this.saved = rewind.checkpoint;
  }

  /** Events queued and not yet published. */
  pending(): ChannelEvent[] {
    return this.outbox.slice(this.relayed);
  }

  /** Publish the pending events in order; they stay pending if `publisher` fails. */
  async relay(publisher: EventPublisher): Promise<void> {
    const batch = this.pending();
    if (batch.length === 0) return;
    await publisher.publish(batch);
    this.relayed += batch.length;
  }
}

/** An {@link EventPublisher} that records what it was asked to publish (and fails while `down`). */
export class RecordingPublisher implements EventPublisher {
  readonly sent: ChannelEvent[] = [];
  down = false;

  async publish(events: readonly ChannelEvent[]) {
    if (this.down) throw new Error('broker unavailable');
    this.sent.push(...events);
  }
}
