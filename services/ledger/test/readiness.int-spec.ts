import { aBalanceProofAccepted, aChannelId } from '@microraiden/events';
import { waitFor } from '@microraiden/testing';
import { Client } from 'pg';
import { bootstrapService } from '@microraiden/service-kit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AppModule } from '../src/app.module';
import { loadLedgerConfig } from '../src/ledger-config';
import {
  createLedgerFixture,
  getJson,
  LEDGER_TEST_TOKEN,
  startLedger,
  waitUntilCaughtUp,
  type LedgerFixture,
} from './support/ledger-harness';

let fixture: LedgerFixture;
let ledger: Awaited<ReturnType<typeof startLedger>> | undefined;

beforeAll(async () => {
  fixture = await createLedgerFixture('ledger_readiness', 1);
});
afterAll(async () => {
  await ledger?.app.close();
  await fixture?.close();
});

type Ready = {
  status: string;
  info?: Record<string, unknown>;
  error?: Record<string, { status: string; message?: string }>;
};

describe('readiness', () => {
  it('is ready only while the projection lags by at most READY_MAX_LAG', async () => {
    ledger = await startLedger(fixture, { READY_MAX_LAG: '5' });
    await waitUntilCaughtUp(ledger.runtime);
    expect((await getJson(ledger.url, '/health/ready')).status).toBe(200);

    // Hold the projection back: its next transaction waits on this lock while events pile up.
    const blocker = new Client({ connectionString: fixture.db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE ledger_offsets IN ACCESS EXCLUSIVE MODE');
      const channelId = aChannelId('readiness');
      await fixture.publish(
        Array.from({ length: 20 }, (_, i) =>
          aBalanceProofAccepted({
            channelId,
            balance: BigInt(i + 1) * 10n,
            previousBalance: BigInt(i) * 10n,
          }),
        ),
      );
      let ready: { status: number; body: Ready } | undefined;
      await waitFor('readiness to report the lag', async () => {
        ready = await getJson<Ready>(ledger!.url, '/health/ready');
        return ready.status === 503;
      });
      expect(ready!.body.error?.projection?.status).toBe('down');
      expect(ready!.body.error?.projection?.message).toMatch(/lags 20 messages.*READY_MAX_LAG=5/);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    await waitUntilCaughtUp(ledger.runtime);
    const after = await getJson<Ready>(ledger.url, '/health/ready');
    expect(after.status).toBe(200);
    expect(after.body.info?.projection).toMatchObject({ status: 'up', maxLag: 0 });
  });

  it('is not ready before the database can be reached', async () => {
    const broken = await startLedgerUnstarted({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing_test',
    });
    try {
      const ready = await getJson<Ready>(broken.url, '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.error?.projection?.status).toBe('down');
      expect((await getJson(broken.url, '/api/1/funds-at-risk')).body).toMatchObject({
        error: { code: 'LEDGER_NOT_READY' },
      });
    } finally {
      await broken.app.close();
    }
  });
});

/** Start a ledger that cannot finish starting (no waiting for the projection). */
async function startLedgerUnstarted(env: Record<string, string>) {
  const config = loadLedgerConfig({
    LOG_LEVEL: 'silent',
    KAFKA_BROKERS: inject('kafkaBrokers'),
    ENSURE_TOPICS: 'false',
    OPERATOR_TOKEN: LEDGER_TEST_TOKEN,
    ...env,
  });
  const app = await bootstrapService(AppModule.register(config), { name: 'ledger', port: 0, listen: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}
