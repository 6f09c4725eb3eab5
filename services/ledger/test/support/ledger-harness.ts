import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { topicFor, TOPICS, type MicroraidenEvent } from '@microraiden/events';
import {
  createEventProducer,
  ensureTopics,
  type EventProducer,
  type KafkaClientOptions,
} from '@microraiden/kafka';
import type { LedgerTopics } from '@microraiden/ledger';
import { bootstrapService } from '@microraiden/service-kit';
import { createTestDatabase, uniqueTopic, waitFor, type TestDatabase } from '@microraiden/testing';
import { inject } from 'vitest';
import { AppModule } from '../../src/app.module';
import { loadLedgerConfig } from '../../src/ledger-config';
import { LedgerRuntime } from '../../src/ledger-runtime';

/** The Kafka client options of the run's brokers. */
export function testClient(clientId = 'ledger-test'): KafkaClientOptions {
  return { brokers: inject('kafkaBrokers').split(','), clientId };
}

/** Fresh topics (balance proofs, channels, dead letters) and a fresh database for one test file. */
export interface LedgerFixture {
  db: TestDatabase;
  topics: LedgerTopics;
  groupId: string;
  producer: EventProducer;
  /** Publish events on this fixture's topic of each event's type, in order. */
  publish(events: readonly MicroraidenEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** Create the fixture: topics with `partitions` partitions (dead letters: 1) and an empty test database. */
export async function createLedgerFixture(prefix: string, partitions = 3): Promise<LedgerFixture> {
  const db = await createTestDatabase({ prefix });
  const topics: LedgerTopics = {
    balanceProofs: uniqueTopic(`${prefix}.balance-proofs`),
    channels: uniqueTopic(`${prefix}.channels`),
    deadLetter: uniqueTopic(`${prefix}.dead-letter`),
  };
  await ensureTopics(testClient(), [
    { name: topics.balanceProofs, partitions },
    { name: topics.channels, partitions },
    { name: topics.deadLetter, partitions: 1 },
  ]);
  const producer = createEventProducer(testClient('ledger-test-producer'));
  await producer.connect();
  return {
    db,
    topics,
    groupId: uniqueTopic(`${prefix}.group`),
    producer,
    async publish(events) {
      const proofs = events.filter((e) => topicFor(e) === TOPICS.balanceProofs.name);
      const chain = events.filter((e) => topicFor(e) === TOPICS.channels.name);
      await Promise.all([
        proofs.length ? producer.publish(proofs, { topic: topics.balanceProofs }) : undefined,
        chain.length ? producer.publish(chain, { topic: topics.channels }) : undefined,
      ]);
    },
    async close() {
      await producer.disconnect();
      await db.drop();
    },
  };
}

/** The operator token startLedger configures (the query API answers 503 without one) and getJson sends. */
export const LEDGER_TEST_TOKEN = 'ledger-test-operator-token';
export const OPERATOR_AUTH = { authorization: `Bearer ${LEDGER_TEST_TOKEN}` };

/** Start the ledger service on the fixture, listening on a free port; resolves once the projection started. */
export async function startLedger(
  fixture: Pick<LedgerFixture, 'db' | 'topics' | 'groupId'>,
  env: Record<string, string> = {},
): Promise<{ app: NestFastifyApplication; url: string; runtime: LedgerRuntime }> {
  const config = loadLedgerConfig({
    LOG_LEVEL: 'silent',
    DATABASE_URL: fixture.db.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    KAFKA_GROUP_ID: fixture.groupId,
    BALANCE_PROOFS_TOPIC: fixture.topics.balanceProofs,
    CHANNELS_TOPIC: fixture.topics.channels,
    DEAD_LETTER_TOPIC: fixture.topics.deadLetter,
    ENSURE_TOPICS: 'false',
    OPERATOR_TOKEN: LEDGER_TEST_TOKEN,
    ...env,
  });
  const app = await bootstrapService(AppModule.register(config), { name: 'ledger', port: 0, listen: false });
  await app.listen(0, '127.0.0.1');
  const runtime = app.get(LedgerRuntime);
  await runtime.whenStarted();
  return { app, url: await app.getUrl(), runtime };
}

/** Wait until the projection owns partitions and none lags. */
export async function waitUntilCaughtUp(runtime: LedgerRuntime, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    'the ledger projection to catch up',
    async () => {
      const projection = runtime.currentProjection();
      if (!projection?.joined()) return false;
      const lags = await projection.lag();
      return lags.length > 0 && lags.every((l) => l.lag === 0n);
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/** GET a JSON document from the service. */
export async function getJson<T = Record<string, unknown>>(
  url: string,
  path: string,
  headers: Record<string, string> = OPERATOR_AUTH,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, { headers });
  return { status: res.status, body: (await res.json()) as T };
}
