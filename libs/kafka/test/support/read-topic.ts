import { randomBytes } from 'node:crypto';
import { createKafka } from '../../src/kafka-client';

/** A message as read back from a topic in a test. */
export interface ReadMessage {
  partition: number;
  offset: bigint;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * Read `topic` from the beginning with a throwaway group until `done(messages)` holds, then return everything
 * read so far; rejects after `timeoutMs`. Reading goes through raw kafkajs so the code under test does not check
 * itself.
 */
export async function readTopic(
  brokers: readonly string[],
  topic: string,
  done: (messages: readonly ReadMessage[]) => boolean,
  timeoutMs = 30_000,
): Promise<ReadMessage[]> {
  const consumer = createKafka({ brokers, clientId: 'read-topic' }).consumer({
    groupId: `read-topic-${randomBytes(6).toString('hex')}`,
    maxWaitTimeInMs: 100,
  });
  const messages: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `read ${messages.length} messages of ${topic} in ${timeoutMs} ms without reaching the goal`,
            ),
          ),
        timeoutMs,
      );
      const check = () => {
        if (done(messages)) {
          clearTimeout(timer);
          resolve();
        }
      };
      check();
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {}))
            if (value !== undefined) headers[name] = String(Array.isArray(value) ? value[0] : value);
          messages.push({
            partition,
            offset: BigInt(message.offset),
            key: message.key?.toString('utf8') ?? null,
            value: message.value,
            headers,
          });
          check();
        },
      });
    });
    return messages;
  } finally {
    await consumer.disconnect();
  }
}
