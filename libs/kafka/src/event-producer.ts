import {
  encodeEvent,
  eventHeaders,
  partitionKeyOf,
  topicFor,
  type MicroraidenEvent,
} from '@microraiden/events';
import type { KafkaClientOptions } from './kafka-client';
import { createRecordProducer, type OutboundRecord } from './record-producer';

/** Publishes typed events; see {@link createEventProducer}. */
export interface EventProducer {
  /** Connect now (optional: publish connects on first use); lets a service fail fast at start-up. */
  connect(): Promise<void>;
  /**
   * Publish events in order, each on its catalogue topic (or `options.topic`) keyed by channel id; resolves once
   * all in-sync replicas acknowledged. Throws EventEncodeError before sending anything if one event is invalid.
   */
  publish(
    events: MicroraidenEvent | readonly MicroraidenEvent[],
    options?: { topic?: string },
  ): Promise<void>;
  /** Flush and close the connection. */
  disconnect(): Promise<void>;
}

/**
 * An idempotent event producer (acks=all, one request in flight). Publishing straight from a request handler
 * after a database write is a dual write: use the outbox (enqueueEvent + OutboxRelay) for that.
 */
export function createEventProducer(client: KafkaClientOptions): EventProducer {
  const producer = createRecordProducer(client);
  return {
    connect: () => producer.connect(),
    async publish(events, options = {}) {
      const list: readonly MicroraidenEvent[] = Array.isArray(events) ? events : [events as MicroraidenEvent];
      const records: OutboundRecord[] = list.map((event) => ({
        topic: options.topic ?? topicFor(event),
        key: partitionKeyOf(event),
        value: encodeEvent(event),
        headers: eventHeaders(event),
      }));
      await producer.send(records);
    },
    disconnect: () => producer.disconnect(),
  };
}
