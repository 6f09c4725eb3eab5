import {
  createRetraction,
  type ChannelCloseRequestedV1,
  type ChannelEvent,
  type ChannelLogEvent,
} from '@microraiden/events';
import { checksummedAddress } from '@microraiden/protocol';
import type { BlockHeader, BlockRef } from './block-ref';
import {
  CHANNEL_EVENT_TOPICS,
  decodeChannelLog,
  type ChannelParties,
  type LogContext,
} from './channel-log-decoder';
import { findCommonAncestor } from './common-ancestor';
import type { ChainReader, FollowerStore } from './follower-ports';
import { silentLog, type WatcherLog } from './watcher-log';

/** Settings of {@link ChainFollower}. */
export interface ChainFollowerOptions extends LogContext {
  /** First block that can hold channel manager logs (its deployment block). */
  startBlock: number;
  /** Blocks a log must be buried under before it is recorded and published (0 = at the head). */
  confirmations: number;
  /** Largest `eth_getLogs` range, in blocks. */
  maxBlockRange: number;
  /** Close requests addressed to this receiver become dispute tasks. */
  receiver: string;
}

/** What one {@link ChainFollower.step} did. */
export type StepOutcome =
  | { kind: 'idle'; head: number; checkpoint: number }
  | { kind: 'advanced'; head: number; from: number; to: number; queued: number }
  | { kind: 'reorg'; head: number; ancestor: number; depth: number; retracted: number }
  | { kind: 'unstable'; head: number; reason: string };

/** Observers for metrics. */
export interface FollowerObserver {
  onStep?(outcome: StepOutcome): void;
  /** Events committed to the outbox (retractions included), after their transaction committed. */
  onQueued?(events: readonly ChannelEvent[]): void;
}

/**
 * Follows the channel manager's logs from a durable checkpoint, `confirmations` blocks behind the head, in bounded
 * ranges. Each range is one store transaction: the checkpoint, the dispute tasks of close requests to our receiver
 * and the channel events, queued in the outbox that a relay publishes to Kafka later. So the receiver's defence
 * depends only on the chain and Postgres: with Kafka down the follower keeps following and the disputer keeps
 * disputing, and the events go out (with their deterministic ids, once per id) when Kafka is back. On a reorg
 * below the checkpoint it walks back to the common ancestor and queues retractions of the recorded events that are
 * no longer canonical, in the transaction that rewinds the checkpoint.
 */
export class ChainFollower {
  private readonly receiver: string;

  constructor(
    private readonly chain: ChainReader,
    private readonly store: FollowerStore,
    private readonly options: ChainFollowerOptions,
    private readonly log: WatcherLog = silentLog,
    private readonly observer: FollowerObserver = {},
  ) {
    this.receiver = checksummedAddress(options.receiver);
  }

  /** Do one unit of work: a rewind after a reorg, or one range of logs. */
  async step(): Promise<StepOutcome> {
    const outcome = await this.doStep();
    this.observer.onStep?.(outcome);
    return outcome;
  }

  /** Step until caught up with `head - confirmations` (or the chain moves under us). */
  async catchUp(maxSteps = 1_000): Promise<StepOutcome> {
    let outcome = await this.step();
    for (let n = 1; n < maxSteps && outcome.kind !== 'idle' && outcome.kind !== 'unstable'; n++)
      outcome = await this.step();
    return outcome;
  }

  private async doStep(): Promise<StepOutcome> {
    const head = await this.chain.headNumber();
    const checkpoint = await this.store.checkpoint();
    const headers = new Map<number, BlockHeader | undefined>();
    const headerAt = async (n: number) => {
      if (!headers.has(n)) headers.set(n, await this.chain.header(n));
      return headers.get(n);
    };

    // A reorg may keep the height (or even shrink it): check the checkpoint itself, not only new parents.
    if (
      checkpoint &&
      (await headerAt(checkpoint.number))?.hash.toLowerCase() !== checkpoint.hash.toLowerCase()
    )
      return this.rewind(head, checkpoint);

    const from = checkpoint ? checkpoint.number + 1 : this.options.startBlock;
    const target = head - this.options.confirmations;
    if (target < from) return { kind: 'idle', head, checkpoint: from - 1 };
    const to = Math.min(target, from + this.options.maxBlockRange - 1);

    const first = await headerAt(from);
    if (!first) return { kind: 'unstable', head, reason: `block ${from} vanished` };
    if (checkpoint && first.parentHash.toLowerCase() !== checkpoint.hash.toLowerCase())
      return this.rewind(head, checkpoint);
    const last = await headerAt(to);
    if (!last) return { kind: 'unstable', head, reason: `block ${to} vanished` };

    const logs = await this.chain.logs({
      address: this.options.channelManager,
      fromBlock: from,
      toBlock: to,
      topics: CHANNEL_EVENT_TOPICS,
    });
    // The range must be the chain we read the headers of: a log from another fork, or a moved `to`, means the
    // chain changed during the query; try again next poll rather than publish a mix.
    const events: ChannelLogEvent[] = [];
    const logBlocks = new Map<number, BlockRef>();
    // Parties of the channels created in this range, for the ChannelSignerSet logs that follow their creation.
    const created = new Map<string, ChannelParties>();
    for (const raw of [...logs].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)) {
      const header = await headerAt(raw.blockNumber);
      if (!header || header.hash.toLowerCase() !== raw.blockHash.toLowerCase())
        return { kind: 'unstable', head, reason: `log of block ${raw.blockNumber} is not on the chain read` };
      const event = decodeChannelLog(raw, header.timestamp, this.options, (id) => created.get(id));
      if (!event) continue;
      if (event.type === 'channel.created') {
        const { sender, receiver } = event.data;
        created.set(event.data.channelId, { sender, receiver });
      }
      events.push(event);
      logBlocks.set(header.number, { number: header.number, hash: header.hash });
    }
    headers.delete(to);
    const lastAgain = await headerAt(to);
    if (lastAgain?.hash.toLowerCase() !== last.hash.toLowerCase())
      return { kind: 'unstable', head, reason: `block ${to} changed while reading logs` };

    // Events of blocks that stayed canonical across a rewind are recorded already: queue each id once.
    const already = await this.store.recordedIds(events.map((e) => e.id));
    const fresh = events.filter((e) => !already.has(e.id));
    const closeRequests = events.filter(
      (e): e is ChannelCloseRequestedV1 =>
        e.type === 'channel.close-requested' && checksummedAddress(e.data.receiver) === this.receiver,
    );
    const checkpointRef = { number: last.number, hash: last.hash };
    await this.store.commitStep({
      checkpoint: checkpointRef,
      blocks: [...logBlocks.values(), checkpointRef],
      events: fresh,
      closeRequests,
    });
    if (fresh.length > 0) this.observer.onQueued?.(fresh);
    return { kind: 'advanced', head, from, to, queued: fresh.length };
  }

  private async rewind(head: number, checkpoint: BlockRef): Promise<StepOutcome> {
    const remembered = await this.store.rememberedBlocks(checkpoint.number);
    const canonical = new Map<number, string | undefined>();
    const hashAt = async (n: number) => {
      if (!canonical.has(n)) canonical.set(n, (await this.chain.header(n))?.hash);
      return canonical.get(n);
    };
    const ancestor = await findCommonAncestor(remembered, hashAt);
    const ancestorNumber = ancestor?.number ?? this.options.startBlock - 1;
    const recorded = await this.store.recordedAbove(ancestorNumber);
    const gone: ChannelLogEvent[] = [];
    for (const event of recorded) {
      const hash = await hashAt(event.data.blockNumber);
      if (hash?.toLowerCase() !== event.data.blockHash.toLowerCase()) gone.push(event);
    }
    const occurredAt = new Date().toISOString();
    const retractions = gone.map((event) =>
      createRetraction(event, { source: this.options.source, occurredAt }),
    );
    await this.store.commitRewind({ checkpoint: ancestor, retractions });
    if (retractions.length > 0) this.observer.onQueued?.(retractions);
    const depth = checkpoint.number - ancestorNumber;
    this.log.warn('chain reorganised: rewound to the common ancestor', {
      from: checkpoint.number,
      ancestor: ancestorNumber,
      retracted: retractions.length,
    });
    return { kind: 'reorg', head, ancestor: ancestorNumber, depth, retracted: retractions.length };
  }
}
