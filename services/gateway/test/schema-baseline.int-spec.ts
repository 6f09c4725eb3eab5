import { aChannelId } from '@microraiden/events';
import { GATEWAY_TABLES, migrateGatewaySchema } from '@microraiden/paywall';
import { MIGRATIONS_TABLE } from '@microraiden/persistence';
import { createTestDatabase, schemaSnapshot, type TestDatabase } from '@microraiden/testing';
import { Pool } from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { PRE_RUNNER_GATEWAY_DDL, PRE_RUNNER_OUTBOX_DDL } from './support/pre-runner-schema';

// A gateway database created before the migration runner migrates forward without losing a row.
describe('gateway schema: migrating a database created by the pre-runner code', () => {
  const databases: TestDatabase[] = [];
  const pools: Pool[] = [];
  const open = async (prefix: string) => {
    const db = await createTestDatabase({ prefix, serverUrl: inject('databaseUrl') });
    databases.push(db);
    const pool = new Pool({ connectionString: db.url, max: 2 });
    pools.push(pool);
    return pool;
  };
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.end()));
    await Promise.all(databases.splice(0).map((d) => d.drop()));
  });

  it('records the old tables as version 1, keeps their rows, and adds the charged balance equal to the accepted', async () => {
    const old = await open('gateway_baseline_old');
    await old.query(PRE_RUNNER_GATEWAY_DDL);
    await old.query(PRE_RUNNER_OUTBOX_DDL);
    const channelId = aChannelId('baseline');
    await old.query(
      `INSERT INTO ${GATEWAY_TABLES.channels} (channel_id, sender, receiver, deposit, accepted_balance)
       VALUES ($1, '0xsender', '0xreceiver', 100, 40)`,
      [channelId],
    );
    await old.query(`INSERT INTO outbox (topic, key, payload) VALUES ('t', $1, '\\x01')`, [channelId]);

    await migrateGatewaySchema(old);
    const migrated = await schemaSnapshot(old, [MIGRATIONS_TABLE]);
    await migrateGatewaySchema(old);

    expect(await schemaSnapshot(old, [MIGRATIONS_TABLE])).toEqual(migrated);
    const channels = await old.query(
      `SELECT deposit::text, accepted_balance::text, charged_balance::text FROM ${GATEWAY_TABLES.channels}`,
    );
    expect(channels.rows).toEqual([{ deposit: '100', accepted_balance: '40', charged_balance: '40' }]);
    expect((await old.query('SELECT key FROM outbox')).rows).toEqual([{ key: channelId }]);
    const versions = await old.query(
      `SELECT store, version, baselined FROM ${MIGRATIONS_TABLE} ORDER BY store, version`,
    );
    expect(versions.rows).toEqual([
      { store: 'gateway', version: 1, baselined: true },
      { store: 'gateway', version: 2, baselined: false },
      { store: 'gateway', version: 3, baselined: false },
      { store: 'outbox:outbox', version: 1, baselined: true },
    ]);
    // C <= S holds in the table itself: a charge above what was signed cannot be written by any code path.
    await expect(
      old.query(`UPDATE ${GATEWAY_TABLES.channels} SET charged_balance = 41 WHERE channel_id = $1`, [
        channelId,
      ]),
    ).rejects.toThrow(/charged_balance_check/);
  });

  it('creates on an empty database exactly the schema the old code created, migrated forward', async () => {
    const old = await open('gateway_baseline_ddl');
    await old.query(PRE_RUNNER_GATEWAY_DDL);
    await old.query(PRE_RUNNER_OUTBOX_DDL);
    await migrateGatewaySchema(old);
    const fresh = await open('gateway_baseline_new');
    await migrateGatewaySchema(fresh);
    expect(await schemaSnapshot(fresh, [MIGRATIONS_TABLE])).toEqual(
      await schemaSnapshot(old, [MIGRATIONS_TABLE]),
    );
    const versions = await fresh.query(
      `SELECT store, version, baselined FROM ${MIGRATIONS_TABLE} ORDER BY store, version`,
    );
    expect(versions.rows).toEqual([
      { store: 'gateway', version: 1, baselined: false },
      { store: 'gateway', version: 2, baselined: false },
      { store: 'gateway', version: 3, baselined: false },
      { store: 'outbox:outbox', version: 1, baselined: false },
    ]);
  });
});
