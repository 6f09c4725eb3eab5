import { kafkaTestClient } from '@microraiden/testing';
import { randomBytes } from 'node:crypto';

/** A message read back from a topic, headers as strings. */
export interface ReadMessage {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Read `topic` from the start (raw client, not the code under test) until `count` messages arrived. */
export async function readTopic(
  brokers: string,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<ReadMessage[]> {
  const consumer = kafkaTestClient({ brokers }).consumer({
    groupId: `read-${randomBytes(6).toString('hex')}`,
    maxWaitTimeInMs: 100,
  });
  const messages: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${messages.length}/${count} messages of ${topic}`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {}))
            if (value !== undefined) headers[name] = String(Array.isArray(value) ? value[0] : value);
          messages.push({ key: message.key?.toString('utf8') ?? null, value: message.value, headers });
          if (messages.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

/** Produce raw bytes, bypassing the event encoder, as a broken or foreign producer would. */
export async function produceRaw(
  brokers: string,
  topic: string,
  messages: Array<{ key: string; value: string | Buffer }>,
) {
  const producer = kafkaTestClient({ brokers }).producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}
