import { Partitioners, type Producer } from 'kafkajs';
import { createKafka, type KafkaClientOptions } from './kafka-client';

/** One already-encoded Kafka message (an event, an outbox row or a dead-lettered original). */
export interface OutboundRecord {
  topic: string;
  key: string | Buffer | null;
  value: Buffer | null;
  headers: Record<string, string | Buffer>;
}

/** The idempotent producer every publisher in this lib shares the settings of. Internal to libs/kafka. */
export interface RecordProducer {
  connect(): Promise<void>;
  /** Send records in order and resolve once every in-sync replica acknowledged them. */
  send(records: readonly OutboundRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * Idempotent (`enable.idempotence`), one request in flight (retries cannot reorder a partition), acks from all
 * in-sync replicas, Java-compatible murmur2 partitioning (a librdkafka replacement must use `murmur2_random` so
 * keys keep their partitions) and no auto-created topics (they would get broker defaults, not ensureTopics').
 */
export function createRecordProducer(client: KafkaClientOptions): RecordProducer {
  // kafkajs warns unless an idempotent producer retries forever. Bounded retries are deliberate: a send that
  // fails surfaces to the caller, who re-sends the same events (same ids), and consumers dedupe by id.
  const log = client.log;
  const quiet: KafkaClientOptions = {
    ...client,
    ...(log
      ? {
          log: (level, message, extra) =>
            message.startsWith('Limiting retries') || log(level, message, extra),
        }
      : {}),
  };
  const producer: Producer = createKafka(quiet).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  let connected: Promise<void> | undefined;

  const connect = (): Promise<void> => {
    connected ??= producer.connect().catch((err: unknown) => {
      connected = undefined;
      throw err;
    });
    return connected;
  };

  return {
    connect,
    async send(records) {
      if (records.length === 0) return;
      await connect();
      // Grouped per topic in first-seen order; sendBatch keeps message order within each topic-partition.
      const byTopic = new Map<string, OutboundRecord[]>();
      for (const record of records) {
        const list = byTopic.get(record.topic) ?? [];
        list.push(record);
        byTopic.set(record.topic, list);
      }
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic,
          messages: list.map(({ key, value, headers }) => ({ key, value, headers })),
        })),
      });
    },
    async disconnect() {
      if (!connected) return;
      connected = undefined;
      await producer.disconnect();
    },
  };
}
