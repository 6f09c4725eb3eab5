import { bootstrapService } from '@microraiden/service-kit';
import { createTestDatabase, uniqueTopic, type TestDatabase } from '@microraiden/testing';
import { afterAll, beforeAll, inject } from 'vitest';
import { describeServiceHealth } from '../../../libs/service-kit/test/describe-service-health';
import { AppModule } from '../src/app.module';
import { loadLedgerConfig } from '../src/ledger-config';
import { LedgerRuntime } from '../src/ledger-runtime';
import { waitUntilCaughtUp } from './support/ledger-harness';

let db: TestDatabase;
const topics = {
  BALANCE_PROOFS_TOPIC: uniqueTopic('ledger-health.balance-proofs'),
  CHANNELS_TOPIC: uniqueTopic('ledger-health.channels'),
  DEAD_LETTER_TOPIC: uniqueTopic('ledger-health.dead-letter'),
  KAFKA_GROUP_ID: uniqueTopic('ledger-health.group'),
  TOPIC_PARTITIONS: '1',
};

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'ledger_health' });
});
afterAll(() => db?.drop());

const start = (env: Record<string, string>) =>
  bootstrapService(AppModule.register(loadLedgerConfig({ LOG_LEVEL: 'silent', ...topics, ...env })), {
    name: 'ledger',
    port: 0,
    listen: false,
  });

describeServiceHealth({
  service: 'ledger',
  checks: ['postgres', 'kafka', 'projection'],
  brokenCheck: 'postgres',
  healthy: async () => {
    const app = await start({ DATABASE_URL: db.url, KAFKA_BROKERS: inject('kafkaBrokers') });
    // Ready means joined and caught up: wait for it, as an orchestrator would poll /health/ready.
    await app.init();
    await waitUntilCaughtUp(app.get(LedgerRuntime));
    return app;
  },
  broken: () =>
    start({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing_test',
      KAFKA_BROKERS: inject('kafkaBrokers'),
    }),
});
