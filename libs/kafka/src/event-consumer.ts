import { TOPICS, type MicroraidenEvent } from '@microraiden/events';
import type { Admin, Consumer } from 'kafkajs';
import { createRetrier, Interrupted, type Retrier } from './consumer-retry';
import { createKafka, type KafkaClientOptions } from './kafka-client';
import { partitionLags, readPartitionOffsets } from './partition-lag';
import { partitionKey, PartitionWorker, type ConsumerMode } from './partition-worker';
import { createRecordProducer } from './record-producer';
import { DEFAULT_RETRY_POLICY, isRetryableByDefault, type RetryPolicy } from './retry-policy';

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
  /**
   * How many partitions' batches are handled at once (kafkajs `partitionsConsumedConcurrently`); one partition's
   * batches are always handled in order. Default 1: a handler that shares state across partitions must allow more.
   */
  partitionsConsumedConcurrently?: number;
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

/** What the consumer's event listeners and its methods share. */
interface ConsumerState {
  /** Aborted by stop(): every retry wait ends at once and the consumer never restarts. */
  stop: AbortController;
  mode: ConsumerMode | undefined;
  batchOptions: BatchOptions;
  assigned: TopicPartition[];
  /** Next offset to process per `topic:partition`, updated as messages complete. */
  positions: Map<string, bigint>;
  /** Pending onPartitionsAssigned work for the latest assignment; batches wait for it. */
  assignment: Promise<void>;
}

/**
 * A consumer of typed events with manual commits. Undecodable messages, and messages whose handler fails with a
 * non-retryable error (or runs out of attempts), are copied to the dead-letter topic with the reason in headers
 * and skipped; retryable failures are retried with backoff, holding the partition. At-least-once: a message may
 * be handled again after a crash or rebalance, so handlers dedupe by event id (or by stored offset). Each fetched
 * partition batch is a {@link PartitionWorker}; this is the shell that joins the group and owns the connections.
 */
export function createEventConsumer(options: EventConsumerOptions): EventConsumer {
  const log = options.client.log ?? (() => undefined);
  const kafka = createKafka(options.client);
  const state: ConsumerState = {
    stop: new AbortController(),
    mode: undefined,
    batchOptions: {},
    assigned: [],
    positions: new Map(),
    assignment: Promise.resolve(),
  };
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    maxWaitTimeInMs: options.maxWaitTimeMs ?? 1_000,
    allowAutoTopicCreation: false,
    // kafkajs restarts a crashed consumer on a timer that a concurrent disconnect does not always cancel: a
    // consumer stopped while the broker was down came back when it returned and held partitions for a dead
    // handler. A stopped consumer never restarts.
    retry: { retries: 5, restartOnFailure: async () => !state.stop.signal.aborted },
  });
  const deadLetters = createRecordProducer(options.client);
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const isRetryable = options.isRetryable ?? isRetryableByDefault;
  const retrier = createRetrier({
    policy,
    isRetryable,
    log,
    groupId: options.groupId,
    stop: state.stop.signal,
  });
  const admin = lazyAdmin(kafka);
  const seek = (position: PartitionOffset) => seekTo(consumer, state, position);
  listenToGroup(consumer, state, { retrier, seek, log, groupId: options.groupId });
  const workerDeps = {
    groupId: options.groupId,
    maxBatchSize: options.maxBatchSize ?? 500,
    deadLetterTopic: options.deadLetterTopic ?? TOPICS.deadLetter.name,
    deadLetters,
    retrier,
    log,
    ...(options.onDeadLetter ? { onDeadLetter: options.onDeadLetter } : {}),
    positions: state.positions,
    stopping: () => state.stop.signal.aborted,
  };

  async function start(mode: ConsumerMode, batchOptions: BatchOptions = {}): Promise<void> {
    if (state.mode) throw new Error('this consumer is already running');
    state.mode = mode;
    state.batchOptions = batchOptions;
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? false });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => new PartitionWorker(payload, workerDeps).run(state.mode, state.assignment),
    });
  }

  return {
    run: (handler) => start({ kind: 'each', handler }),
    runBatches: (handler, batchOptions) => start({ kind: 'batch', handler }, batchOptions),
    seek,
    async lag() {
      const owned = state.assigned;
      if (owned.length === 0) return [];
      const offsets = await readPartitionOffsets(await admin.get(), options.groupId, owned);
      return partitionLags(offsets, state.positions, options.fromBeginning ?? false);
    },
    async stop() {
      if (state.stop.signal.aborted) return;
      state.stop.abort();
      await consumer.disconnect();
      await deadLetters.disconnect();
      await admin.disconnect();
    },
  };
}

function seekTo(consumer: Consumer, state: ConsumerState, position: PartitionOffset): void {
  consumer.seek({ topic: position.topic, partition: position.partition, offset: position.offset.toString() });
  state.positions.set(partitionKey(position), position.offset);
}

/**
 * On every join: record the owned partitions, forget positions of lost ones, and run onPartitionsAssigned (retried
 * until it succeeds) to seek them before any of their batches is handled.
 */
function listenToGroup(
  consumer: Consumer,
  state: ConsumerState,
  deps: {
    retrier: Retrier;
    seek: (position: PartitionOffset) => void;
    log: NonNullable<KafkaClientOptions['log']>;
    groupId: string;
  },
): void {
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    // A restart already under way when stop() ran can still join: leave the group again at once.
    if (state.stop.signal.aborted) {
      consumer.disconnect().catch(() => undefined);
      return;
    }
    state.assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
      partitions.map((partition) => ({ topic, partition })),
    );
    const owned = new Set(state.assigned.map(partitionKey));
    for (const key of state.positions.keys()) if (!owned.has(key)) state.positions.delete(key);
    const hook = state.mode?.kind === 'batch' ? state.batchOptions.onPartitionsAssigned : undefined;
    if (!hook) return;
    const snapshot = state.assigned;
    state.assignment = deps.retrier
      .attempt(
        async () => {
          for (const position of await hook(snapshot)) deps.seek(position);
        },
        { what: 'onPartitionsAssigned', retryAll: true, unlimited: true },
        () => Promise.resolve(),
        () => !state.stop.signal.aborted,
      )
      .then(
        () => undefined,
        (err: unknown) => {
          if (!(err instanceof Interrupted)) throw err;
        },
      );
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    deps.log('error', `consumer crashed${payload.restart ? ', restarting' : ''}: ${payload.error.message}`, {
      groupId: deps.groupId,
    });
  });
}

/** An admin client connected on first use (lag() only), retried on the next use when connecting failed. */
function lazyAdmin(kafka: ReturnType<typeof createKafka>) {
  let admin: Promise<Admin> | undefined;
  return {
    get(): Promise<Admin> {
      admin ??= (async () => {
        const client = kafka.admin();
        await client.connect();
        return client;
      })().catch((err: unknown) => {
        admin = undefined;
        throw err;
      });
      return admin;
    },
    async disconnect(): Promise<void> {
      if (admin) await (await admin.catch(() => undefined))?.disconnect();
    },
  };
}
