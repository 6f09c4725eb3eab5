import { decodeEvent } from '@microraiden/events';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { Interrupted, type Outcome, type Retrier } from './consumer-retry';
import { deadLetterRecord } from './dead-letter-record';
import type {
  BatchHandler,
  ConsumedEvent,
  DeadLetterInfo,
  EventHandler,
  TopicPartition,
} from './event-consumer';
import type { KafkaClientOptions } from './kafka-client';
import type { RecordProducer } from './record-producer';

/** How the consumer hands events over: one at a time, or in per-partition batches. */
export type ConsumerMode = { kind: 'each'; handler: EventHandler } | { kind: 'batch'; handler: BatchHandler };

/** What every partition worker of one consumer shares. */
export interface PartitionWorkerDeps {
  groupId: string;
  maxBatchSize: number;
  deadLetterTopic: string;
  deadLetters: RecordProducer;
  retrier: Retrier;
  log: NonNullable<KafkaClientOptions['log']>;
  onDeadLetter?: (info: DeadLetterInfo) => void;
  /** Next offset to process per `topic:partition`, for lag(); updated as messages complete. */
  positions: Map<string, bigint>;
  stopping: () => boolean;
}

/** The key of a partition in position maps. */
export const partitionKey = (tp: TopicPartition) => `${tp.topic}:${tp.partition}`;

/** Pure: a message as a consumed event, or the reason it cannot be decoded. */
export function consumedOf(message: KafkaMessage, tp: TopicPartition) {
  const result = decodeEvent(message.value ?? Buffer.alloc(0));
  if (!result.ok)
    return { ok: false as const, reason: { code: result.error.code, message: result.error.message } };
  const consumed: ConsumedEvent = {
    event: result.event,
    ...tp,
    offset: BigInt(message.offset),
    key: message.key ? message.key.toString('utf8') : null,
  };
  return { ok: true as const, consumed };
}

/**
 * The work on one fetched batch of one partition: hands its messages over in chunks of `maxBatchSize`,
 * dead-letters what cannot be handled, resolves and commits what completed, and stops as soon as the consumer
 * stops or the partition is lost (a rebalance).
 */
export class PartitionWorker {
  private readonly tp: TopicPartition;
  private next: bigint | undefined;
  private committed: bigint | undefined;
  private readonly active = () =>
    !this.deps.stopping() && this.payload.isRunning() && !this.payload.isStale();
  private readonly heartbeat = () => this.payload.heartbeat();

  constructor(
    private readonly payload: EachBatchPayload,
    private readonly deps: PartitionWorkerDeps,
  ) {
    this.tp = { topic: payload.batch.topic, partition: payload.batch.partition };
  }

  /** Handle the fetched messages; whatever completed is committed, even when stopping. */
  async run(mode: ConsumerMode | undefined, assignment: Promise<void>): Promise<void> {
    const messages = this.payload.batch.messages;
    try {
      // Let onPartitionsAssigned place its seeks first; a pending seek makes this batch stale.
      await assignment;
      for (let start = 0; start < messages.length; start += this.deps.maxBatchSize) {
        if (!this.active()) break;
        const chunk = messages.slice(start, start + this.deps.maxBatchSize);
        if (mode?.kind === 'each') await this.handleEach(mode.handler, chunk);
        else if (mode?.kind === 'batch') await this.handleBatch(mode.handler, chunk);
        await this.commit();
        await this.heartbeat();
      }
    } catch (err) {
      if (!(err instanceof Interrupted)) throw err;
    } finally {
      // After a rebalance the commit may be refused.
      await this.commit().catch((err: Error) =>
        this.deps.log('warn', 'could not commit processed offsets', {
          groupId: this.deps.groupId,
          error: err.message,
        }),
      );
    }
  }

  private advance(offset: string): void {
    this.payload.resolveOffset(offset);
    this.next = BigInt(offset) + 1n;
    this.deps.positions.set(partitionKey(this.tp), this.next);
  }

  private async commit(): Promise<void> {
    const next = this.next;
    if (next === undefined || next === this.committed) return;
    const { topic, partition } = this.tp;
    await this.payload.commitOffsetsIfNecessary({
      topics: [{ topic, partitions: [{ partition, offset: next.toString() }] }],
    });
    this.committed = next;
  }

  private attempt(work: () => Promise<void>, what: string): Promise<Outcome> {
    return this.deps.retrier.attempt(work, { what }, this.heartbeat, this.active);
  }

  private where(message: KafkaMessage): string {
    return `${this.tp.topic}/${this.tp.partition}@${message.offset}`;
  }

  private async handleEach(handler: EventHandler, chunk: KafkaMessage[]): Promise<void> {
    for (const message of chunk) {
      if (!this.active()) throw new Interrupted();
      const result = consumedOf(message, this.tp);
      if (!result.ok) await this.deadLetter(message, result.reason);
      else {
        const what = `handling ${result.consumed.event.type} at ${this.where(message)}`;
        const outcome = await this.attempt(() => handler(result.consumed), what);
        if (!outcome.ok) await this.deadLetter(message, outcome);
      }
      this.advance(message.offset);
    }
  }

  private async handleBatch(handler: BatchHandler, chunk: KafkaMessage[]): Promise<void> {
    const events: Array<{ consumed: ConsumedEvent; message: KafkaMessage }> = [];
    for (const message of chunk) {
      const result = consumedOf(message, this.tp);
      if (result.ok) events.push({ consumed: result.consumed, message });
      else await this.deadLetter(message, result.reason);
    }
    const last = chunk[chunk.length - 1]!.offset;
    const nextOffset = BigInt(last) + 1n;
    const what = `handling a batch of ${events.length} at ${this.tp.topic}/${this.tp.partition}`;
    const outcome = await this.attempt(
      () => handler({ ...this.tp, events: events.map((e) => e.consumed), nextOffset }),
      what,
    );
    if (!outcome.ok) {
      // Some event cannot be handled: hand them over one by one so only the culprit is dead-lettered.
      for (const { consumed, message } of events) {
        if (!this.active()) throw new Interrupted();
        const single = await this.attempt(
          () => handler({ ...this.tp, events: [consumed], nextOffset: consumed.offset + 1n }),
          `handling ${consumed.event.type} at ${this.where(message)}`,
        );
        if (!single.ok) await this.deadLetter(message, single);
      }
      // Record progress past trailing dead-lettered messages too, so a restart does not dead-letter them again.
      await this.attempt(() => handler({ ...this.tp, events: [], nextOffset }), what);
    }
    this.advance(last);
  }

  private async deadLetter(message: KafkaMessage, reason: { code: string; message: string }): Promise<void> {
    const { deps, tp } = this;
    const record = deadLetterRecord(deps.deadLetterTopic, message, {
      ...reason,
      ...tp,
      groupId: deps.groupId,
    });
    // Skipping a message without its dead-letter copy would lose it: keep trying until it is written.
    await deps.retrier.attempt(
      () => deps.deadLetters.send([record]),
      { what: `dead-lettering ${this.where(message)}`, retryAll: true, unlimited: true },
      this.heartbeat,
      this.active,
    );
    deps.log('warn', `dead-lettered ${this.where(message)}: ${reason.code}`, {
      groupId: deps.groupId,
      code: reason.code,
    });
    deps.onDeadLetter?.({ ...tp, offset: BigInt(message.offset), ...reason });
  }
}
