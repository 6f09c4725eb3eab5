import { MicroraidenError } from '@microraiden/errors';
import {
  DEAD_LETTER_HEADERS,
  aBalanceProofAccepted,
  aChannelCreated,
  aChannelId,
  aChannelToppedUp,
  encodeEvent,
  type MicroraidenEvent,
} from '@microraiden/events';
import { uniqueTopic } from '@microraiden/testing';
import { Partitioners } from 'kafkajs';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import {
  createEventConsumer,
  createEventProducer,
  ensureTopics,
  type ConsumedEvent,
  type EventBatch,
  type EventConsumer,
  type EventConsumerOptions,
  type KafkaClientOptions,
} from '../src';
import { createKafka } from '../src/kafka-client';
import { readTopic } from './support/read-topic';

const brokers = inject('kafkaBrokers').split(',');
// KAFKA_TEST_LOG=1 shows kafkajs' and the consumer's warnings when a test needs debugging.
const client: KafkaClientOptions = {
  brokers,
  clientId: 'kafka-lib-int-spec',
  ...(process.env.KAFKA_TEST_LOG
    ? { log: (level, message, extra) => console.log(level, message, JSON.stringify(extra)) }
    : {}),
};

/** A fresh topic with `partitions` partitions plus its own dead-letter topic. */
async function freshTopics(partitions = 3) {
  const topic = uniqueTopic('kafka-lib.events');
  const deadLetterTopic = uniqueTopic('kafka-lib.dead-letter');
  await ensureTopics(client, [
    { name: topic, partitions },
    { name: deadLetterTopic, partitions: 1 },
  ]);
  return { topic, deadLetterTopic };
}

const running: EventConsumer[] = [];

/** A consumer of `topic` that stops after the test; fast retries so tests stay short. */
function consumerOf(topic: string, deadLetterTopic: string, overrides: Partial<EventConsumerOptions> = {}) {
  const consumer = createEventConsumer({
    client,
    groupId: `${topic}.group`,
    topics: [topic],
    fromBeginning: true,
    deadLetterTopic,
    retry: { initialDelayMs: 20, maxDelayMs: 100 },
    maxWaitTimeMs: 100,
    ...overrides,
  });
  running.push(consumer);
  return consumer;
}

async function publish(topic: string, events: MicroraidenEvent[]) {
  const producer = createEventProducer(client);
  try {
    await producer.publish(events, { topic });
  } finally {
    await producer.disconnect();
  }
}

/** Produce raw bytes (not through the event producer) to simulate a foreign or broken producer. */
async function produceRaw(topic: string, messages: Array<{ key: string; value: Buffer | string }>) {
  const producer = createKafka(client).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}

async function committedOffsets(groupId: string, topic: string): Promise<Map<number, bigint>> {
  const admin = createKafka(client).admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map(entry!.partitions.map((p) => [p.partition, BigInt(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
});

describe('event producer and consumer', () => {
  it('round-trips typed events keyed by channel id, in per-channel order', async () => {
    const { topic, deadLetterTopic } = await freshTopics(3);
    const alice = aChannelId('alice');
    const bob = aChannelId('bob');
    const events = [
      aChannelCreated({ channelId: alice }),
      aBalanceProofAccepted({ channelId: bob, balance: 100n }),
      aChannelToppedUp({ channelId: alice }),
      aBalanceProofAccepted({ channelId: bob, balance: 200n }),
      aBalanceProofAccepted({ channelId: alice, balance: 50n }),
      aBalanceProofAccepted({ channelId: bob, balance: 300n }),
    ];
    await publish(topic, events);

    const received: ConsumedEvent[] = [];
    await consumerOf(topic, deadLetterTopic).run(async (message) => {
      received.push(message);
    });
    await vi.waitFor(() => expect(received).toHaveLength(events.length), { timeout: 30_000 });

    // bigint amounts, checksummed addresses and all: what comes out is exactly what went in.
    expect(received.map((m) => m.event).sort(byId)).toEqual([...events].sort(byId));
    for (const channel of [alice, bob]) {
      const mine = received.filter((m) => m.event.data.channelId === channel);
      expect(new Set(mine.map((m) => m.partition)).size).toBe(1);
      expect(mine.every((m) => m.key === channel)).toBe(true);
      expect(mine.map((m) => m.event.id)).toEqual(
        events.filter((e) => e.data.channelId === channel).map((e) => e.id),
      );
    }
  });

  it('dead-letters undecodable messages with the reason and keeps consuming', async () => {
    const { topic, deadLetterTopic } = await freshTopics(1);
    const before = aChannelCreated();
    const after = aChannelToppedUp();
    const futureVersion = Buffer.from(
      JSON.stringify({ ...JSON.parse(encodeEvent(aChannelCreated()).toString()), version: 9 }),
    );
    const floatAmount = JSON.parse(encodeEvent(aChannelCreated()).toString());
    floatAmount.data.deposit = 1.5;
    await publish(topic, [before]);
    await produceRaw(topic, [
      { key: 'poison', value: 'this is not json' },
      { key: 'future', value: futureVersion },
      { key: 'float', value: JSON.stringify(floatAmount) },
    ]);
    await publish(topic, [after]);

    const handled: string[] = [];
    const deadLettered: string[] = [];
    await consumerOf(topic, deadLetterTopic, { onDeadLetter: (info) => deadLettered.push(info.code) }).run(
      async ({ event }) => {
        handled.push(event.id);
      },
    );
    await vi.waitFor(() => expect(handled).toEqual([before.id, after.id]), { timeout: 30_000 });

    const dead = await readTopic(brokers, deadLetterTopic, (m) => m.length >= 3);
    expect(dead.map((m) => m.key)).toEqual(['poison', 'future', 'float']);
    expect(dead.map((m) => m.headers[DEAD_LETTER_HEADERS.errorCode])).toEqual([
      'EVENT_MALFORMED',
      'EVENT_UNKNOWN_VERSION',
      'EVENT_SCHEMA_MISMATCH',
    ]);
    expect(deadLettered).toEqual(['EVENT_MALFORMED', 'EVENT_UNKNOWN_VERSION', 'EVENT_SCHEMA_MISMATCH']);
    const [poison] = dead;
    expect(poison!.value!.toString()).toBe('this is not json');
    expect(poison!.headers[DEAD_LETTER_HEADERS.originalTopic]).toBe(topic);
    expect(poison!.headers[DEAD_LETTER_HEADERS.originalPartition]).toBe('0');
    expect(poison!.headers[DEAD_LETTER_HEADERS.originalOffset]).toBe('1');
    expect(poison!.headers[DEAD_LETTER_HEADERS.consumerGroup]).toBe(`${topic}.group`);
    expect(dead[2]!.headers[DEAD_LETTER_HEADERS.errorMessage]).toContain('data.deposit');

    // Everything, dead-lettered messages included, is committed: a restart does not see them again.
    await Promise.all(running.splice(0).map((c) => c.stop()));
    expect((await committedOffsets(`${topic}.group`, topic)).get(0)).toBe(5n);
  });

  it('dead-letters an event whose handler fails with a non-retryable error, then continues', async () => {
    const { topic, deadLetterTopic } = await freshTopics(1);
    const events = [aChannelCreated(), aChannelToppedUp(), aChannelToppedUp()];
    await publish(topic, events);

    const attempts = new Map<string, number>();
    const handled: string[] = [];
    await consumerOf(topic, deadLetterTopic).run(async ({ event }) => {
      attempts.set(event.id, (attempts.get(event.id) ?? 0) + 1);
      if (event.id === events[1]!.id)
        throw new MicroraidenError('LEDGER_UNKNOWN_CHANNEL', 'top-up of a channel the ledger never saw');
      handled.push(event.id);
    });
    await vi.waitFor(() => expect(handled).toEqual([events[0]!.id, events[2]!.id]), { timeout: 30_000 });
    expect(attempts.get(events[1]!.id)).toBe(1);

    const [dead] = await readTopic(brokers, deadLetterTopic, (m) => m.length >= 1);
    expect(dead!.headers[DEAD_LETTER_HEADERS.errorCode]).toBe('LEDGER_UNKNOWN_CHANNEL');
    expect(dead!.headers[DEAD_LETTER_HEADERS.originalOffset]).toBe('1');
    expect(dead!.value).toEqual(encodeEvent(events[1]!));
  });

  it('retries a retryable failure with backoff, holding the partition, then commits', async () => {
    const { topic, deadLetterTopic } = await freshTopics(1);
    const events = [aChannelCreated(), aChannelToppedUp(), aChannelToppedUp()];
    await publish(topic, events);

    const calls: Array<{ id: string; at: number }> = [];
    await consumerOf(topic, deadLetterTopic).run(async ({ event }) => {
      calls.push({ id: event.id, at: Date.now() });
      const tries = calls.filter((c) => c.id === event.id).length;
      if (event.id === events[0]!.id && tries < 3) throw new Error('connection terminated unexpectedly');
    });
    await vi.waitFor(() => expect(calls).toHaveLength(5), { timeout: 30_000 });

    expect(calls.map((c) => c.id)).toEqual([
      events[0]!.id,
      events[0]!.id,
      events[0]!.id,
      events[1]!.id,
      events[2]!.id,
    ]);
    expect(calls[2]!.at - calls[0]!.at).toBeGreaterThanOrEqual(40); // two backoffs of >= 15 ms and >= 30 ms
    await Promise.all(running.splice(0).map((c) => c.stop()));
    expect((await committedOffsets(`${topic}.group`, topic)).get(0)).toBe(3n);
    const dead = await readTopic(brokers, deadLetterTopic, () => true, 2_000);
    expect(dead).toHaveLength(0);
  });

  it('dead-letters with HANDLER_RETRIES_EXHAUSTED once maxAttempts is used up', async () => {
    const { topic, deadLetterTopic } = await freshTopics(1);
    const events = [aChannelCreated(), aChannelToppedUp()];
    await publish(topic, events);
    let attempts = 0;
    const handled: string[] = [];
    await consumerOf(topic, deadLetterTopic, { retry: { initialDelayMs: 10, maxAttempts: 3 } }).run(
      async ({ event }) => {
        if (event.id === events[0]!.id) {
          attempts += 1;
          throw new Error('timeout');
        }
        handled.push(event.id);
      },
    );
    await vi.waitFor(() => expect(handled).toEqual([events[1]!.id]), { timeout: 30_000 });
    expect(attempts).toBe(3);
    const [dead] = await readTopic(brokers, deadLetterTopic, (m) => m.length >= 1);
    expect(dead!.headers[DEAD_LETTER_HEADERS.errorCode]).toBe('HANDLER_RETRIES_EXHAUSTED');
    expect(dead!.headers[DEAD_LETTER_HEADERS.errorMessage]).toContain('timeout');
  });

  it('stops promptly while retrying, without committing the unfinished message', async () => {
    const { topic, deadLetterTopic } = await freshTopics(1);
    const events = [aChannelCreated(), aChannelToppedUp()];
    await publish(topic, events);
    const seen: string[] = [];
    const consumer = consumerOf(topic, deadLetterTopic, {
      retry: { initialDelayMs: 5_000, maxDelayMs: 5_000 },
    });
    await consumer.run(async ({ event }) => {
      seen.push(event.id);
      if (event.id === events[1]!.id) throw new Error('database is down');
    });
    await vi.waitFor(() => expect(seen).toEqual([events[0]!.id, events[1]!.id]), { timeout: 30_000 });

    const started = Date.now();
    await consumer.stop();
    expect(Date.now() - started).toBeLessThan(4_000);
    expect((await committedOffsets(`${topic}.group`, topic)).get(0)).toBe(1n);

    // The next member of the group starts at the unfinished message.
    const again: bigint[] = [];
    await consumerOf(topic, deadLetterTopic).run(async ({ offset }) => {
      again.push(offset);
    });
    await vi.waitFor(() => expect(again).toEqual([1n]), { timeout: 30_000 });
  });

  it('reports lag per owned partition and drains it to zero', async () => {
    const { topic, deadLetterTopic } = await freshTopics(1);
    await publish(topic, [aChannelCreated(), aChannelToppedUp(), aChannelToppedUp(), aChannelToppedUp()]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let handled = 0;
    const consumer = consumerOf(topic, deadLetterTopic);
    await consumer.run(async () => {
      await gate;
      handled += 1;
    });
    await vi.waitFor(
      async () =>
        expect(await consumer.lag()).toEqual([
          { topic, partition: 0, highWatermark: 4n, position: 0n, lag: 4n },
        ]),
      { timeout: 30_000 },
    );
    release();
    await vi.waitFor(() => expect(handled).toBe(4), { timeout: 30_000 });
    expect(await consumer.lag()).toEqual([{ topic, partition: 0, highWatermark: 4n, position: 4n, lag: 0n }]);
  });
});

describe('batch consumption with externally stored offsets', () => {
  it('resumes each assigned partition where onPartitionsAssigned says', async () => {
    const { topic, deadLetterTopic } = await freshTopics(1);
    const events = Array.from({ length: 10 }, (_, i) =>
      aBalanceProofAccepted({ balance: BigInt(100 * (i + 1)) }),
    );
    await publish(topic, events);

    const batches: EventBatch[] = [];
    const assignedSeen: unknown[] = [];
    // As the ledger does: its own database says offsets 0-5 are applied, so it resumes at 6.
    await consumerOf(topic, deadLetterTopic).runBatches(
      async (batch) => {
        batches.push(batch);
      },
      {
        onPartitionsAssigned: async (assigned) => {
          assignedSeen.push(assigned);
          return assigned.map((tp) => ({ ...tp, offset: 6n }));
        },
      },
    );
    await vi.waitFor(() => expect(batches.at(-1)?.nextOffset).toBe(10n), { timeout: 30_000 });

    expect(assignedSeen).toEqual([[{ topic, partition: 0 }]]);
    const offsets = batches.flatMap((b) => b.events.map((e) => e.offset));
    expect(offsets).toEqual([6n, 7n, 8n, 9n]);
    expect(batches.flatMap((b) => b.events.map((e) => e.event.id))).toEqual(events.slice(6).map((e) => e.id));
  });

  it('isolates the event a batch handler cannot handle and dead-letters only that one', async () => {
    const { topic, deadLetterTopic } = await freshTopics(1);
    const events = Array.from({ length: 6 }, (_, i) =>
      aBalanceProofAccepted({ balance: BigInt(100 * (i + 1)) }),
    );
    const culprit = events[3]!;
    await publish(topic, events);
    await produceRaw(topic, [{ key: 'poison', value: '{}' }]);

    const applied: string[] = [];
    let stored = 0n;
    await consumerOf(topic, deadLetterTopic).runBatches(async (batch) => {
      // All or nothing, like a database transaction around the batch.
      if (batch.events.some((e) => e.event.id === culprit.id))
        throw new MicroraidenError('LEDGER_INVARIANT', 'balance went backwards');
      applied.push(...batch.events.map((e) => e.event.id));
      stored = batch.nextOffset;
    });
    await vi.waitFor(() => expect(stored).toBe(7n), { timeout: 30_000 });
    expect(applied).toEqual(events.filter((e) => e !== culprit).map((e) => e.id));

    const dead = await readTopic(brokers, deadLetterTopic, (m) => m.length >= 2);
    const codes = Object.fromEntries(
      dead.map((m) => [
        m.headers[DEAD_LETTER_HEADERS.originalOffset],
        m.headers[DEAD_LETTER_HEADERS.errorCode],
      ]),
    );
    expect(codes).toEqual({ '3': 'LEDGER_INVARIANT', '6': 'EVENT_MALFORMED' });
  });
});

function byId(a: { id: string }, b: { id: string }): number {
  return a.id.localeCompare(b.id);
}
