import {
  aChannelCloseRequested,
  aChannelCreated,
  aChannelId,
  aChannelToppedUp,
  aChannelWithdrawn,
  aBalanceProofCloseSigned,
  aRetraction,
  TEST_CHANNEL_MANAGER,
  type MicroraidenEvent,
} from '@microraiden/events';
import { ChannelEventProjector, migrateGatewaySchema, PgChannelStore } from '@microraiden/paywall';
import { createTestDatabase, type TestDatabase } from '@microraiden/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// The projection of chain events into gateway_channels, against real Postgres (no Kafka needed here).
let db: TestDatabase;
let pool: Pool;
let projector: ChannelEventProjector;

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'gateway_projector', serverUrl: inject('databaseUrl') });
  pool = new Pool({ connectionString: db.url, max: 4 });
  // Replicas migrate concurrently at start-up: the advisory lock makes that safe.
  await Promise.all([migrateGatewaySchema(pool), migrateGatewaySchema(pool), migrateGatewaySchema(pool)]);
  projector = new ChannelEventProjector(pool, { chainId: 31337, channelManager: TEST_CHANNEL_MANAGER });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

async function row(channelId: string) {
  const { rows } = await pool.query(
    `SELECT state, confirmed, deposit::text AS deposit, withdrawn::text AS withdrawn,
            accepted_balance::text AS accepted FROM gateway_channels WHERE channel_id = $1`,
    [channelId],
  );
  return rows[0] as {
    state: string;
    confirmed: boolean;
    deposit: string;
    withdrawn: string;
    accepted: string;
  };
}

async function applyAll(events: MicroraidenEvent[]) {
  const outcomes = [];
  for (const event of events) outcomes.push(await projector.apply(event));
  return outcomes;
}

describe('ChannelEventProjector', () => {
  const channelId = aChannelId('projector-1');
  const created = aChannelCreated({ channelId, blockNumber: 10, deposit: 1000n });
  const toppedUp = aChannelToppedUp({ channelId, blockNumber: 11, added: 500n, deposit: 1500n });
  const withdrawn = aChannelWithdrawn({ channelId, blockNumber: 12, amount: 200n, withdrawn: 200n });

  it('applies each event once: applying twice changes nothing', async () => {
    expect(await applyAll([created, toppedUp, withdrawn])).toEqual(['applied', 'applied', 'applied']);
    const once = await row(channelId);
    expect(once).toEqual({
      state: 'open',
      confirmed: true,
      deposit: '1500',
      withdrawn: '200',
      accepted: '0',
    });
    expect(await applyAll([created, toppedUp, withdrawn])).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await row(channelId)).toEqual(once);
  });

  it('undoes a retracted top-up and keeps what the gateway accepted', async () => {
    const store = new PgChannelStore(pool);
    // As a fixed-price acceptance leaves it: signed and charged balance alike (the close below is at the charged one).
    await pool.query(
      `UPDATE gateway_channels SET accepted_balance = 700, charged_balance = 700 WHERE channel_id = $1`,
      [channelId],
    );
    expect(await projector.apply(aRetraction(toppedUp))).toBe('undone');
    expect(await row(channelId)).toMatchObject({ deposit: '1000', accepted: '700' });
    expect(await projector.apply(aRetraction(toppedUp))).toBe('duplicate');
    // The top-up re-mined (A -> B -> A): applied again.
    expect(await projector.apply(toppedUp)).toBe('applied');
    expect((await store.snapshot(channelId))?.deposit).toBe(1500n);
  });

  it('marks a channel unconfirmed when its creation is retracted, and confirmed when it is seen again', async () => {
    await projector.apply(aRetraction(created));
    expect(await row(channelId)).toMatchObject({ confirmed: false, accepted: '700' });
    await projector.apply(created);
    expect(await row(channelId)).toMatchObject({ confirmed: true });
  });

  it('ends in the same state when the whole topic is replayed from zero', async () => {
    const before = await row(channelId);
    await applyAll([
      created,
      toppedUp,
      withdrawn,
      aRetraction(toppedUp),
      toppedUp,
      aRetraction(created),
      created,
    ]);
    expect(await row(channelId)).toEqual(before);
  });

  it('keeps a channel closing once the receiver signed a closing proof, whatever events arrive', async () => {
    const store = new PgChannelStore(pool);
    expect(
      await store.markClosing(channelId, 700n, aBalanceProofCloseSigned({ channelId, balance: 700n })),
    ).toBe(true);
    await projector.apply(aChannelToppedUp({ channelId, blockNumber: 13, added: 1n, deposit: 1501n }));
    expect(await row(channelId)).toMatchObject({ state: 'closing', deposit: '1501' });
    await projector.apply(aChannelCloseRequested({ channelId, blockNumber: 14 }));
    expect(await row(channelId)).toMatchObject({ state: 'closing' });
  });

  it('ignores events of another contract or chain', async () => {
    const foreign = aChannelCreated({ channelId: aChannelId('foreign'), chainId: 1 });
    expect(await projector.apply(foreign)).toBe('foreign');
    expect(await row(aChannelId('foreign'))).toBeUndefined();
  });
});

describe('migrateGatewaySchema next to a busy replica', () => {
  it('takes no table locks once migrated, so it cannot deadlock with a running projector', async () => {
    // A running replica's projector: writes gateway_channel_events, then gateway_channels, in one transaction.
    const busy = await pool.connect();
    try {
      await busy.query('BEGIN');
      await busy.query(
        `INSERT INTO gateway_channel_events (event_id, channel_id, type, block_number, log_index, payload, applied)
         VALUES ('0xbusy', $1, 'channel.created', 1, 0, '\\x00', false)`,
        [aChannelId('busy-replica')],
      );
      // A replica starting now migrates; it must neither wait on the busy transaction nor make it wait.
      const migrated = migrateGatewaySchema(pool).then(() => 'migrated');
      const outcome = await Promise.race([
        migrated,
        new Promise((r) => setTimeout(() => r('blocked'), 2_000)),
      ]);
      expect(outcome).toBe('migrated');
      await busy.query(`UPDATE gateway_channels SET updated_at = now() WHERE channel_id = $1`, [
        aChannelId('x'),
      ]);
      await busy.query('COMMIT');
    } finally {
      busy.release();
    }
  });
});
