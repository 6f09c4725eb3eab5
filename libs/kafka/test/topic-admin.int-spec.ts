import { TOPICS } from '@microraiden/events';
import { uniqueTopic } from '@microraiden/testing';
import { ConfigResourceTypes } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import { catalogueTopicSpecs, ensureTopics, type KafkaClientOptions } from '../src';
import { createKafka } from '../src/kafka-client';

const client: KafkaClientOptions = {
  brokers: inject('kafkaBrokers').split(','),
  clientId: 'topic-admin-int-spec',
};

async function retentionOf(topic: string): Promise<string | undefined> {
  const admin = createKafka(client).admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }],
    });
    return resources[0]?.configEntries.find((e) => e.configName === 'retention.ms')?.configValue;
  } finally {
    await admin.disconnect();
  }
}

describe('ensureTopics', () => {
  it('creates missing topics with their partitions and config, and is idempotent', async () => {
    const name = uniqueTopic('kafka-lib.admin');
    const spec = { name, partitions: 4, config: { 'retention.ms': '-1' } };
    expect(await ensureTopics(client, [spec])).toEqual([{ name, created: true, partitions: 4 }]);
    expect(await retentionOf(name)).toBe('-1');
    expect(await ensureTopics(client, [spec])).toEqual([{ name, created: false, partitions: 4 }]);
  });

  it('never repartitions an existing topic, only reports and warns', async () => {
    const name = uniqueTopic('kafka-lib.admin');
    await ensureTopics(client, [{ name, partitions: 2 }]);
    const warnings: string[] = [];
    const status = await ensureTopics(
      { ...client, log: (level, message) => level === 'warn' && warnings.push(message) },
      [{ name, partitions: 6 }],
    );
    expect(status).toEqual([{ name, created: false, partitions: 2 }]);
    expect(warnings.some((w) => w.includes(`${name} has 2 partitions`))).toBe(true);
  });
});

describe('catalogueTopicSpecs', () => {
  it('lists the catalogue topics, kept forever, with one dead-letter partition', () => {
    expect(catalogueTopicSpecs(12)).toEqual([
      { name: TOPICS.balanceProofs.name, partitions: 12, config: TOPICS.balanceProofs.config },
      { name: TOPICS.channels.name, partitions: 12, config: TOPICS.channels.config },
      { name: TOPICS.deadLetter.name, partitions: 1, config: TOPICS.deadLetter.config },
    ]);
  });
});
