import { TOPICS } from '@microraiden/events';
import { createKafka, type KafkaClientOptions } from './kafka-client';

/** A topic to ensure. */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** Default: the broker's `default.replication.factor`. */
  replicationFactor?: number;
  /** Topic-level config applied on creation only (e.g. `retention.ms`). */
  config?: Readonly<Record<string, string>>;
}

/** What ensureTopics found or did for one topic. */
export interface TopicStatus {
  name: string;
  /** Whether the topic was missing when the call started (and now exists). */
  created: boolean;
  /** Actual partition count, which may differ from the spec for a topic that already existed. */
  partitions: number;
}

/**
 * Create the missing topics (waiting for their leaders) and report every topic's partition count. Existing topics
 * are never altered: adding partitions would move keys to other partitions and break per-channel order, so a
 * count below the spec is only reported (and logged as a warning) for an operator to decide.
 */
export async function ensureTopics(
  client: KafkaClientOptions,
  specs: readonly TopicSpec[],
): Promise<TopicStatus[]> {
  const admin = createKafka(client).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.name));
    const created = new Set<string>();
    if (missing.length > 0) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((spec) => ({
            topic: spec.name,
            numPartitions: spec.partitions,
            ...(spec.replicationFactor ? { replicationFactor: spec.replicationFactor } : {}),
            configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
          })),
        });
      } catch (err) {
        // Another replica may have created some of them in between; the metadata below tells.
        if (!/already exists/i.test(String((err as Error).message))) throw err;
      }
      for (const spec of missing) created.add(spec.name);
    }
    const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((spec) => spec.name) });
    return specs.map((spec) => {
      const partitions = topics.find((t) => t.name === spec.name)?.partitions.length ?? 0;
      if (partitions < spec.partitions)
        client.log?.(
          'warn',
          `topic ${spec.name} has ${partitions} partitions, fewer than the ${spec.partitions} asked for`,
          {
            topic: spec.name,
          },
        );
      return { name: spec.name, created: created.has(spec.name), partitions };
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Delete topics a run created for itself (benches' unique topics), so repeated runs do not fill the broker's disk.
 * Topics that are already gone are skipped; never point this at the catalogue topics of a running system.
 */
export async function deleteTopics(client: KafkaClientOptions, names: readonly string[]): Promise<void> {
  const admin = createKafka(client).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const topics = names.filter((name) => existing.has(name));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

/** Specs of every catalogue topic with `partitions` partitions each (the dead-letter topic gets one). */
export function catalogueTopicSpecs(partitions: number, replicationFactor?: number): TopicSpec[] {
  return [TOPICS.balanceProofs, TOPICS.channels, TOPICS.deadLetter].map((topic) => ({
    name: topic.name,
    partitions: topic === TOPICS.deadLetter ? 1 : partitions,
    ...(replicationFactor ? { replicationFactor } : {}),
    config: topic.config,
  }));
}
