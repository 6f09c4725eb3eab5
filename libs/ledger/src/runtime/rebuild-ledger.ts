import { ensureTopics } from '@microraiden/kafka';
import { dropProjection } from '../store/apply-batch';
import { takeProjectionWriterLock } from '../store/projection-writer-lock';
import { startLedgerProjection, type LedgerProjectionOptions } from './ledger-projection';

/** Options of {@link rebuildLedger}: those of the live projection, plus how long to wait for the replay. */
export interface RebuildOptions extends Omit<LedgerProjectionOptions, 'groupId'> {
  /** The live group id; the replay joins `<groupId>.rebuild` so it never takes partitions from live members. */
  groupId: string;
  timeoutMs?: number;
  /** Partitions a missing topic is created with (as the service's TOPIC_PARTITIONS); existing ones are kept. */
  topicPartitions?: number;
}

/**
 * Drop the projection and replay both topics from offset 0 until no partition lags, then stop. Refuses
 * (`LEDGER_IN_USE`) while a live projection holds the writer lock: stop the ledger service first; replicas that
 * start meanwhile wait (their start-up retries) until the rebuild is done.
 * Returns how long it took and how many events it applied or recorded as ignored.
 */
export async function rebuildLedger(
  options: RebuildOptions,
): Promise<{ durationMs: number; events: number }> {
  const started = Date.now();
  // Caught up means every partition of both topics is owned and at its end; ask how many there are.
  const statuses = await ensureTopics(options.client, [
    { name: options.topics.balanceProofs, partitions: options.topicPartitions ?? 1 },
    { name: options.topics.channels, partitions: options.topicPartitions ?? 1 },
  ]);
  const partitions = statuses.reduce((sum, status) => sum + status.partitions, 0);
  const lock = await takeProjectionWriterLock(options.database, 'exclusive');
  try {
    return await replay(options, started, partitions);
  } finally {
    await lock.release();
  }
}

async function replay(
  options: RebuildOptions,
  started: number,
  partitions: number,
): Promise<{ durationMs: number; events: number }> {
  await dropProjection(options.database);
  let events = 0;
  const projection = await startLedgerProjection({
    ...options,
    groupId: `${options.groupId}.rebuild`,
    writerLock: false,
    onBatch: (result) => {
      for (const c of result.counts) if (c.outcome !== 'duplicate') events += c.count;
      options.onBatch?.(result);
    },
  });
  const deadline = started + (options.timeoutMs ?? 600_000);
  try {
    for (;;) {
      if (projection.joined()) {
        const lags = await projection.lag();
        if (lags.length >= partitions && lags.every((l) => l.lag === 0n)) break;
      }
      if (Date.now() > deadline) throw new Error(`rebuild did not catch up within ${options.timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await projection.stop();
  }
  return { durationMs: Date.now() - started, events };
}
