import type { Admin } from 'kafkajs';
import type { PartitionLag, TopicPartition } from './event-consumer';
import { partitionKey } from './partition-worker';

/** What the broker says about a partition: its offsets, and the group's committed offset (-1 when none). */
export interface PartitionOffsets extends TopicPartition {
  low: bigint;
  high: bigint;
  committed: bigint;
}

/**
 * Pure: the lag of each owned partition. The position is the next offset this member will process: the one it
 * reached in memory, else the group's committed offset, else where a group without one starts (`fromBeginning`:
 * the low watermark; otherwise the high one).
 */
export function partitionLags(
  offsets: readonly PartitionOffsets[],
  positions: ReadonlyMap<string, bigint>,
  fromBeginning: boolean,
): PartitionLag[] {
  return offsets.map(({ low, high, committed, ...tp }) => {
    const reset = fromBeginning ? low : high;
    const position = positions.get(partitionKey(tp)) ?? (committed >= 0n ? committed : reset);
    return { ...tp, highWatermark: high, position, lag: high > position ? high - position : 0n };
  });
}

/** Reads {@link PartitionOffsets} of the owned partitions (partitions the broker does not list are left out). */
export async function readPartitionOffsets(
  admin: Admin,
  groupId: string,
  owned: readonly TopicPartition[],
): Promise<PartitionOffsets[]> {
  const topics = [...new Set(owned.map((tp) => tp.topic))];
  const committed = new Map<string, bigint>();
  for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics }))
    for (const { partition, offset } of partitions)
      committed.set(partitionKey({ topic, partition }), BigInt(offset));
  const offsets: PartitionOffsets[] = [];
  for (const topic of topics) {
    const watermarks = await admin.fetchTopicOffsets(topic);
    for (const tp of owned.filter((o) => o.topic === topic)) {
      const mark = watermarks.find((w) => w.partition === tp.partition);
      if (!mark) continue;
      const stored = committed.get(partitionKey(tp)) ?? -1n;
      offsets.push({ ...tp, low: BigInt(mark.low), high: BigInt(mark.high), committed: stored });
    }
  }
  return offsets;
}
