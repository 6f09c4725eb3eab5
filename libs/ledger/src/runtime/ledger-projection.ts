import {
  createEventConsumer,
  type DeadLetterInfo,
  type KafkaClientOptions,
  type PartitionLag,
  type RetryPolicy,
} from '@microraiden/kafka';
import { applyBatch, loadStoredOffsets, type BatchResult } from '../store/apply-batch';
import type { LedgerDatabase } from '../store/ledger-database';
import { takeProjectionWriterLock, type HeldLock } from '../store/projection-writer-lock';
import type { LedgerTopics } from './ledger-topics';

/** Options of {@link startLedgerProjection}. */
export interface LedgerProjectionOptions {
  /** The ledger's database, its schema migrated. */
  database: LedgerDatabase;
  client: KafkaClientOptions;
  groupId: string;
  topics: LedgerTopics;
  /** Passed in so the projection itself never reads a clock (stamps `updated_at` and `applied_at`). */
  clock?: () => Date;
  maxBatchSize?: number;
  /**
   * Partitions applied at once, each batch in its own transaction on its own pooled connection (default 1). Safe at
   * any value: a batch stores its partition's offset with its rows, channel rows are locked in id order and revenue
   * rows in key order, so concurrent batches only wait for each other where they touch the same rows. At most the
   * database's pool size.
   */
  partitionsConcurrently?: number;
  maxWaitTimeMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Called after each committed batch with what it did. */
  onBatch?: (result: BatchResult & { topic: string; partition: number }) => void;
  onDeadLetter?: (info: DeadLetterInfo) => void;
  /** Take the shared projection-writer lock (default); only a rebuild, which holds it exclusively, passes false. */
  writerLock?: boolean;
}

/** A running projection; see {@link startLedgerProjection}. */
export interface LedgerProjection {
  /** Lag of every partition this member owns. */
  lag(): Promise<PartitionLag[]>;
  /** True once the member joined its group and sought its partitions to the stored offsets. */
  joined(): boolean;
  /**
   * True once the shared projection-writer lock went with its connection: the projection applies nothing more
   * (a rebuild could now take the lock) and must be stopped and started again, which re-takes the lock and
   * re-seeks every partition to its stored offset.
   */
  writerLockLost(): boolean;
  /** Stop consuming; whatever was applied is already committed with its offsets. */
  stop(): Promise<void>;
}

/**
 * Consume the balance-proof and channel topics into the projection. Each partition's batch is applied in one
 * transaction that also stores the partition's next offset; on every (re)assignment partitions are sought to
 * those stored offsets (0 on a fresh database), so Kafka's own committed offsets never matter.
 */
export async function startLedgerProjection(options: LedgerProjectionOptions): Promise<LedgerProjection> {
  const clock = options.clock ?? (() => new Date());
  let joined = false;
  const lock: HeldLock | undefined =
    options.writerLock === false ? undefined : await takeProjectionWriterLock(options.database, 'shared');
  const consumer = createEventConsumer({
    client: options.client,
    groupId: options.groupId,
    topics: [options.topics.balanceProofs, options.topics.channels],
    fromBeginning: true,
    deadLetterTopic: options.topics.deadLetter,
    ...(options.maxBatchSize ? { maxBatchSize: options.maxBatchSize } : {}),
    ...(options.maxWaitTimeMs ? { maxWaitTimeMs: options.maxWaitTimeMs } : {}),
    ...(options.partitionsConcurrently
      ? { partitionsConsumedConcurrently: options.partitionsConcurrently }
      : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.onDeadLetter ? { onDeadLetter: options.onDeadLetter } : {}),
  });
  try {
    await consumer.runBatches(
      async (batch) => {
        // A plain Error, so the consumer retries (holding the partition) instead of dead-lettering the batch.
        if (lock !== undefined && !lock.held())
          throw new Error('the projection-writer lock was lost with its connection');
        const result = await applyBatch(options.database, batch, clock());
        options.onBatch?.({ ...result, topic: batch.topic, partition: batch.partition });
      },
      {
        onPartitionsAssigned: async (assigned) => {
          const offsets = await loadStoredOffsets(options.database, assigned);
          joined = true;
          return offsets;
        },
      },
    );
  } catch (err) {
    await consumer.stop().catch(() => undefined);
    await lock?.release();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    lag: () => consumer.lag(),
    joined: () => joined,
    writerLockLost: () => lock !== undefined && !lock.held(),
    stop() {
      // Idempotent: shutdown hooks may call it more than once.
      stopping ??= (async () => {
        await consumer.stop();
        await lock?.release();
      })();
      return stopping;
    },
  };
}
