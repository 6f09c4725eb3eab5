import { MicroraidenError } from '@microraiden/errors';
import { TOPICS, decodeEvent, type MicroraidenEvent } from '@microraiden/events';
import type { Admin, Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { deadLetterRecord } from './dead-letter-record';
import { createKafka, type KafkaClientOptions } from './kafka-client';
import { createRecordProducer } from './record-producer';
import { DEFAULT_RETRY_POLICY, backoffDelayMs, isRetryableByDefault, type RetryPolicy } from './retry-policy';

/** A topic partition. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A position in a partition: the offset of the next message to read. */
export interface PartitionOffset extends TopicPartition {
  offset: bigint;
}

/** Lag of one partition this consumer owns. */
export interface PartitionLag extends TopicPartition {
  /** Offset the next produced message will get. */
  highWatermark: bigint;
  /** Next offset this consumer will process (processed in memory, else committed, else the reset point). */
  position: bigint;
  /** `highWatermark - position`, never negative. */
  lag: bigint;
}

/** A decoded event and where it was read. */
export interface ConsumedEvent<E extends MicroraidenEvent = MicroraidenEvent> {
  event: E;
  topic: string;
  partition: number;
  offset: bigint;
  key: string | null;
}

/** Handles one event; throw to retry (transient) or dead-letter (see `isRetryable`). */
export type EventHandler = (message: ConsumedEvent) => Promise<void>;

/** Consecutive events of one partition, handed over together. */
export interface EventBatch extends TopicPartition {
  /** The decodable events, in offset order (may be empty when every message was dead-lettered). */
  events: ConsumedEvent[];
  /**
   * Offset after the last message this batch covers, dead-lettered ones included: store it with the batch's
   * effects and return it from `onPartitionsAssigned` to resume exactly after this batch.
   */
  nextOffset: bigint;
}

/** Handles a batch, typically in one database transaction that also stores `nextOffset`. */
export type BatchHandler = (batch: EventBatch) => Promise<void>;

/** Hooks of {@link EventConsumer.runBatches}. */
export interface BatchOptions {
  /**
   * Called after every rebalance with the partitions this member now owns, before any of their messages is
   * handled; return where to resume each (e.g. offsets stored in the projection's own database). Partitions left
   * out resume from the group's committed offset. Retried with backoff until it succeeds.
   */
  onPartitionsAssigned?: (assigned: readonly TopicPartition[]) => Promise<readonly PartitionOffset[]>;
}

/** Facts about a dead-lettered message, for metrics and logs. */
export interface DeadLetterInfo extends TopicPartition {
  offset: bigint;
  code: string;
  message: string;
}

/** Options of {@link createEventConsumer}. */
export interface EventConsumerOptions {
  client: KafkaClientOptions;
  groupId: string;
  topics: readonly string[];
  /** Where a group without a committed offset starts: the earliest retained message (true) or new ones only. */
  fromBeginning?: boolean;
  /** Default: the catalogue's dead-letter topic. */
  deadLetterTopic?: string;
  retry?: Partial<RetryPolicy>;
  /** Default {@link isRetryableByDefault}: MicroraidenErrors are dead-lettered at once, other errors retried. */
  isRetryable?: (error: unknown) => boolean;
  /** Largest number of messages handled (and committed) together. Default 500. */
  maxBatchSize?: number;
  /** Default 30 s; a member silent for longer loses its partitions. */
  sessionTimeoutMs?: number;
  /** Longest a fetch waits for new messages; stop() waits for the fetch in flight. Default 1000 ms. */
  maxWaitTimeMs?: number;
  /** Called after a message was written to the dead-letter topic. */
  onDeadLetter?: (info: DeadLetterInfo) => void;
}

/** A running consumer group member; see {@link createEventConsumer}. */
export interface EventConsumer {
  /** Join the group and hand every event to `handler`, one at a time per partition. Resolves once joined. */
  run(handler: EventHandler): Promise<void>;
  /** Join the group and hand events over in per-partition batches. Resolves once joined. */
  runBatches(handler: BatchHandler, options?: BatchOptions): Promise<void>;
  /** Move an owned partition: its next fetched message will be the one at `offset`. */
  seek(position: PartitionOffset): void;
  /** Lag of every partition this member owns (for a gauge). */
  lag(): Promise<PartitionLag[]>;
  /** Finish or abandon the message in hand, commit what was processed, and leave the group. */
  stop(): Promise<void>;
}

type Mode =
  { kind: 'each'; handler: EventHandler } | { kind: 'batch'; handler: BatchHandler; options: BatchOptions };

type Outcome = { ok: true } | { ok: false; code: string; message: string };

/** Thrown inside to unwind a batch when the consumer stops or loses the partition; never escapes. */
class Interrupted extends Error {}

const OK: Outcome = { ok: true };
const HEARTBEAT_SLICE_MS = 1_000;

/**
 * A consumer of typed events with manual commits. Undecodable messages, and messages whose handler fails with a
 * non-retryable error (or runs out of attempts), are copied to the dead-letter topic with the reason in headers
 * and skipped; retryable failures are retried with backoff, holding the partition. At-least-once: a message may
 * be handled again after a crash or rebalance, so handlers dedupe by event id (or by stored offset).
 */
export function createEventConsumer(options: EventConsumerOptions): EventConsumer {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const isRetryable = options.isRetryable ?? isRetryableByDefault;
  const maxBatchSize = options.maxBatchSize ?? 500;
  const deadLetterTopic = options.deadLetterTopic ?? TOPICS.deadLetter.name;
  const log = options.client.log ?? (() => undefined);
  const kafka = createKafka(options.client);
  let stopping = false;
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    maxWaitTimeInMs: options.maxWaitTimeMs ?? 1_000,
    allowAutoTopicCreation: false,
    // kafkajs restarts a crashed consumer on a timer that a concurrent disconnect does not always cancel: a
    // consumer stopped while the broker was down came back when it returned and held partitions for a dead
    // handler. A stopped consumer never restarts.
    retry: { retries: 5, restartOnFailure: async () => !stopping },
  });
  const deadLetters = createRecordProducer(options.client);
  let admin: Promise<Admin> | undefined;

  let mode: Mode | undefined;
  let assigned: TopicPartition[] = [];
  /** Next offset to process per `topic:partition`, updated as messages complete. */
  const positions = new Map<string, bigint>();
  /** Pending onPartitionsAssigned work for the latest assignment; batches wait for it. */
  let assignment: Promise<void> = Promise.resolve();
  const wakers = new Set<() => void>();

  const keyOf = (tp: TopicPartition) => `${tp.topic}:${tp.partition}`;

  /** Sleep `ms`, heartbeating so a long backoff does not cost the partition; throws Interrupted on stop. */
  async function pause(ms: number, heartbeat: () => Promise<void>, active: () => boolean): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (!active()) throw new Interrupted();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(HEARTBEAT_SLICE_MS, until - Date.now()));
        function done() {
          clearTimeout(timer);
          wakers.delete(done);
          resolve();
        }
        wakers.add(done);
      });
      if (!active()) throw new Interrupted();
      await heartbeat();
    }
  }

  /** Run `work` until it succeeds, fails non-retryably, or runs out of attempts. */
  async function attempt(
    work: () => Promise<void>,
    context: { what: string; retryAll?: boolean; unlimited?: boolean },
    heartbeat: () => Promise<void>,
    active: () => boolean,
  ): Promise<Outcome> {
    for (let n = 1; ; n++) {
      try {
        await work();
        return OK;
      } catch (err) {
        if (err instanceof Interrupted) throw err;
        const error = err instanceof Error ? err : new Error(String(err));
        if (!context.retryAll && !isRetryable(err))
          return {
            ok: false,
            code: err instanceof MicroraidenError ? err.code : 'HANDLER_FAILED',
            message: error.message,
          };
        if (!context.unlimited && n >= policy.maxAttempts)
          return {
            ok: false,
            code: 'HANDLER_RETRIES_EXHAUSTED',
            message: `${n} attempts failed; last: ${error.message}`,
          };
        const delay = backoffDelayMs(n, policy);
        log('warn', `${context.what} failed (attempt ${n}), retrying in ${delay} ms`, {
          groupId: options.groupId,
          error: error.message,
        });
        await pause(delay, heartbeat, active);
      }
    }
  }

  async function deadLetter(
    message: KafkaMessage,
    tp: TopicPartition,
    reason: { code: string; message: string },
    heartbeat: () => Promise<void>,
    active: () => boolean,
  ): Promise<void> {
    const record = deadLetterRecord(deadLetterTopic, message, { ...reason, ...tp, groupId: options.groupId });
    // Skipping a message without its dead-letter copy would lose it: keep trying until it is written.
    await attempt(
      () => deadLetters.send([record]),
      {
        what: `dead-lettering ${tp.topic}/${tp.partition}@${message.offset}`,
        retryAll: true,
        unlimited: true,
      },
      heartbeat,
      active,
    );
    log('warn', `dead-lettered ${tp.topic}/${tp.partition}@${message.offset}: ${reason.code}`, {
      groupId: options.groupId,
      code: reason.code,
    });
    options.onDeadLetter?.({ ...tp, offset: BigInt(message.offset), ...reason });
  }

  function decoded(message: KafkaMessage, tp: TopicPartition) {
    const result = decodeEvent(message.value ?? Buffer.alloc(0));
    if (!result.ok) return result;
    const consumed: ConsumedEvent = {
      event: result.event,
      ...tp,
      offset: BigInt(message.offset),
      key: message.key ? message.key.toString('utf8') : null,
    };
    return { ok: true as const, consumed };
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale } = payload;
    const tp: TopicPartition = { topic: batch.topic, partition: batch.partition };
    const active = () => !stopping && isRunning() && !isStale();
    let next: bigint | undefined;
    let committed: bigint | undefined;

    const advance = (offset: string) => {
      payload.resolveOffset(offset);
      next = BigInt(offset) + 1n;
      positions.set(keyOf(tp), next);
    };
    const commit = async () => {
      if (next === undefined || next === committed) return;
      await payload.commitOffsetsIfNecessary({
        topics: [{ topic: tp.topic, partitions: [{ partition: tp.partition, offset: next.toString() }] }],
      });
      committed = next;
    };

    try {
      // Let onPartitionsAssigned place its seeks first; a pending seek makes this batch stale.
      await assignment;
      for (let start = 0; start < batch.messages.length; start += maxBatchSize) {
        if (!active()) break;
        const chunk = batch.messages.slice(start, start + maxBatchSize);
        if (mode?.kind === 'each') await handleEach(mode.handler, chunk, tp, advance, heartbeat, active);
        else if (mode?.kind === 'batch')
          await handleBatch(mode.handler, chunk, tp, advance, heartbeat, active);
        await commit();
        await heartbeat();
      }
    } catch (err) {
      if (!(err instanceof Interrupted)) throw err;
    } finally {
      // Whatever completed is committed even when stopping; after a rebalance the commit may be refused.
      await commit().catch((err: Error) =>
        log('warn', 'could not commit processed offsets', { groupId: options.groupId, error: err.message }),
      );
    }
  }

  async function handleEach(
    handler: EventHandler,
    chunk: KafkaMessage[],
    tp: TopicPartition,
    advance: (offset: string) => void,
    heartbeat: () => Promise<void>,
    active: () => boolean,
  ): Promise<void> {
    for (const message of chunk) {
      if (!active()) throw new Interrupted();
      const result = decoded(message, tp);
      if (!result.ok) {
        const { code, message: reason } = result.error;
        await deadLetter(message, tp, { code, message: reason }, heartbeat, active);
      } else {
        const what = `handling ${result.consumed.event.type} at ${tp.topic}/${tp.partition}@${message.offset}`;
        const outcome = await attempt(() => handler(result.consumed), { what }, heartbeat, active);
        if (!outcome.ok) await deadLetter(message, tp, outcome, heartbeat, active);
      }
      advance(message.offset);
    }
  }

  async function handleBatch(
    handler: BatchHandler,
    chunk: KafkaMessage[],
    tp: TopicPartition,
    advance: (offset: string) => void,
    heartbeat: () => Promise<void>,
    active: () => boolean,
  ): Promise<void> {
    const events: Array<{ consumed: ConsumedEvent; message: KafkaMessage }> = [];
    for (const message of chunk) {
      const result = decoded(message, tp);
      if (result.ok) events.push({ consumed: result.consumed, message });
      else
        await deadLetter(
          message,
          tp,
          { code: result.error.code, message: result.error.message },
          heartbeat,
          active,
        );
    }
    const last = chunk[chunk.length - 1]!.offset;
    const nextOffset = BigInt(last) + 1n;
    const what = `handling a batch of ${events.length} at ${tp.topic}/${tp.partition}`;
    const outcome = await attempt(
      () => handler({ ...tp, events: events.map((e) => e.consumed), nextOffset }),
      { what },
      heartbeat,
      active,
    );
    if (!outcome.ok) {
      // Some event cannot be handled: hand them over one by one so only the culprit is dead-lettered.
      for (const { consumed, message } of events) {
        if (!active()) throw new Interrupted();
        const single = await attempt(
          () => handler({ ...tp, events: [consumed], nextOffset: consumed.offset + 1n }),
          { what: `handling ${consumed.event.type} at ${tp.topic}/${tp.partition}@${message.offset}` },
          heartbeat,
          active,
        );
        if (!single.ok) await deadLetter(message, tp, single, heartbeat, active);
      }
      // Record progress past trailing dead-lettered messages too, so a restart does not dead-letter them again.
      await attempt(() => handler({ ...tp, events: [], nextOffset }), { what }, heartbeat, active);
    }
    advance(last);
  }

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    // A restart already under way when stop() ran can still join: leave the group again at once.
    if (stopping) {
      consumer.disconnect().catch(() => undefined);
      return;
    }
    assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
      partitions.map((partition) => ({ topic, partition })),
    );
    const owned = new Set(assigned.map(keyOf));
    for (const key of positions.keys()) if (!owned.has(key)) positions.delete(key);
    const hook = mode?.kind === 'batch' ? mode.options.onPartitionsAssigned : undefined;
    if (!hook) return;
    const snapshot = assigned;
    const heartbeat = () => Promise.resolve();
    assignment = attempt(
      async () => {
        const offsets = await hook(snapshot);
        for (const position of offsets) seek(position);
      },
      { what: 'onPartitionsAssigned', retryAll: true, unlimited: true },
      heartbeat,
      () => !stopping,
    ).then(
      () => undefined,
      (err: unknown) => {
        if (!(err instanceof Interrupted)) throw err;
      },
    );
  });

  consumer.on(consumer.events.CRASH, ({ payload }) => {
    log('error', `consumer crashed${payload.restart ? ', restarting' : ''}: ${payload.error.message}`, {
      groupId: options.groupId,
    });
  });

  function seek(position: PartitionOffset): void {
    consumer.seek({
      topic: position.topic,
      partition: position.partition,
      offset: position.offset.toString(),
    });
    positions.set(keyOf(position), position.offset);
  }

  async function start(chosen: Mode): Promise<void> {
    if (mode) throw new Error('this consumer is already running');
    mode = chosen;
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? false });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
  }

  async function connectedAdmin(): Promise<Admin> {
    admin ??= (async () => {
      const client = kafka.admin();
      await client.connect();
      return client;
    })().catch((err: unknown) => {
      admin = undefined;
      throw err;
    });
    return admin;
  }

  return {
    run: (handler) => start({ kind: 'each', handler }),
    runBatches: (handler, batchOptions = {}) => start({ kind: 'batch', handler, options: batchOptions }),
    seek,
    async lag() {
      const owned = assigned;
      if (owned.length === 0) return [];
      const client = await connectedAdmin();
      const topics = [...new Set(owned.map((tp) => tp.topic))];
      const committed = new Map<string, bigint>();
      for (const { topic, partitions } of await client.fetchOffsets({ groupId: options.groupId, topics }))
        for (const { partition, offset } of partitions)
          committed.set(keyOf({ topic, partition }), BigInt(offset));
      const lags: PartitionLag[] = [];
      for (const topic of topics) {
        const watermarks = await client.fetchTopicOffsets(topic);
        for (const tp of owned.filter((o) => o.topic === topic)) {
          const mark = watermarks.find((w) => w.partition === tp.partition);
          if (!mark) continue;
          const high = BigInt(mark.high);
          const stored = committed.get(keyOf(tp)) ?? -1n;
          const reset = options.fromBeginning ? BigInt(mark.low) : high;
          const position = positions.get(keyOf(tp)) ?? (stored >= 0n ? stored : reset);
          lags.push({ ...tp, highWatermark: high, position, lag: high > position ? high - position : 0n });
        }
      }
      return lags;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      for (const wake of [...wakers]) wake();
      await consumer.disconnect();
      await deadLetters.disconnect();
      if (admin) await (await admin.catch(() => undefined))?.disconnect();
    },
  };
}
