import type { Consumer, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kafkaAdmin, kafkaTestClient, uniqueTopic } from '@microraiden/testing';

describe('integration Kafka', () => {
  const brokers = inject('kafkaBrokers');
  const kafka = kafkaTestClient({ brokers, clientId: 'kafka-int-spec' });
  let producer: Producer;
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer.disconnect();
  });

  it('is provided to workers through the environment as well', () => {
    expect(process.env.KAFKA_BROKERS).toBe(brokers);
  });

  it('round-trips a message through a real broker with a consumer group', async () => {
    const topic = uniqueTopic('kafka-int-spec');
    const admin = await kafkaAdmin(brokers);
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(metadata.topics[0]?.partitions).toHaveLength(2);
    } finally {
      await admin.disconnect();
    }

    await producer.send({ topic, messages: [{ key: 'channel-1', value: JSON.stringify({ amount: '42' }) }] });

    // A short fetch wait: disconnect() waits for the in-flight fetch, 5 s by default.
    consumer = kafka.consumer({ groupId: `${topic}.group`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<{ key: string; value: string; offset: string }>((resolve) => {
      void consumer!.run({
        eachMessage: async ({ message }) =>
          resolve({ key: String(message.key), value: String(message.value), offset: message.offset }),
      });
    });
    expect(received).toEqual({ key: 'channel-1', value: '{"amount":"42"}', offset: '0' });
  });

  it('auto-creates a topic on first produce', async () => {
    const topic = uniqueTopic('kafka-int-spec.auto');
    await producer.send({ topic, messages: [{ value: 'x' }] });
    const admin = await kafkaAdmin(brokers);
    try {
      expect(await admin.listTopics()).toContain(topic);
      const [partition] = await admin.fetchTopicOffsets(topic);
      expect(partition?.high).toBe('1');
    } finally {
      await admin.disconnect();
    }
  });
});
