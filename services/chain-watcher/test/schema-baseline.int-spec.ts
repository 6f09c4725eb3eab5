import { migrateWatcherSchema, WATCHER_OUTBOX_TABLE } from '@microraiden/chain-watcher';
import { MIGRATIONS_TABLE } from '@microraiden/persistence';
import { createTestDatabase, schemaSnapshot, type TestDatabase } from '@microraiden/testing';
import { Pool } from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { PRE_RUNNER_OUTBOX_DDL, PRE_RUNNER_WATCHER_DDL } from './support/pre-runner-schema';

const WITHDRAW_COLUMNS = /ALTER TABLE cw_balance_proofs ADD COLUMN IF NOT EXISTS withdraw\w* [^;]*;/g;

// A chain-watcher database created before the migration runner migrates forward without losing a row.
describe('chain-watcher schema: migrating a database created by the pre-runner code', () => {
  const databases: TestDatabase[] = [];
  const pools: Pool[] = [];
  const open = async (prefix: string) => {
    const db = await createTestDatabase({ prefix, serverUrl: inject('databaseUrl') });
    databases.push(db);
    const pool = new Pool({ connectionString: db.url, max: 2 });
    pools.push(pool);
    return pool;
  };
  const versions = async (pool: Pool) =>
    (await pool.query(`SELECT store, version, baselined FROM ${MIGRATIONS_TABLE} ORDER BY store, version`))
      .rows;
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.end()));
    await Promise.all(databases.splice(0).map((d) => d.drop()));
  });

  it('records the old tables as versions 1 and 2, keeps their rows, and changes nothing', async () => {
    const old = await open('cw_baseline_old');
    await old.query(PRE_RUNNER_WATCHER_DDL);
    await old.query(PRE_RUNNER_OUTBOX_DDL);
    await old.query(`INSERT INTO cw_checkpoint (scope, block_number, block_hash) VALUES ('s', 42, '0xab')`);
    await old.query(
      `INSERT INTO cw_balance_proofs (channel_id, balance, signature, event_id, withdrawn) VALUES ('c', 7, '0x', 'e', 3)`,
    );
    const before = await schemaSnapshot(old);

    await migrateWatcherSchema(old);
    await migrateWatcherSchema(old);

    expect(await schemaSnapshot(old, [MIGRATIONS_TABLE])).toEqual(before);
    expect((await old.query('SELECT block_number::int AS n FROM cw_checkpoint')).rows).toEqual([{ n: 42 }]);
    const proofs = await old.query('SELECT balance::text, withdrawn::text FROM cw_balance_proofs');
    expect(proofs.rows).toEqual([{ balance: '7', withdrawn: '3' }]);
    expect(await versions(old)).toEqual([
      { store: 'chain-watcher', version: 1, baselined: true },
      { store: 'chain-watcher', version: 2, baselined: true },
      { store: `outbox:${WATCHER_OUTBOX_TABLE}`, version: 1, baselined: true },
    ]);
  });

  it('adds the withdrawal columns to a database from before they existed, keeping its rows', async () => {
    const old = await open('cw_baseline_older');
    await old.query(PRE_RUNNER_WATCHER_DDL.replace(WITHDRAW_COLUMNS, ''));
    await old.query(PRE_RUNNER_OUTBOX_DDL);
    await old.query(
      `INSERT INTO cw_balance_proofs (channel_id, balance, signature, event_id) VALUES ('c', 7, '0x', 'e')`,
    );

    await migrateWatcherSchema(old);

    const proofs = await old.query(
      'SELECT balance::text, withdrawn::text, withdraw_tx FROM cw_balance_proofs',
    );
    expect(proofs.rows).toEqual([{ balance: '7', withdrawn: '0', withdraw_tx: null }]);
    expect(await versions(old)).toEqual([
      { store: 'chain-watcher', version: 1, baselined: true },
      { store: 'chain-watcher', version: 2, baselined: false },
      { store: `outbox:${WATCHER_OUTBOX_TABLE}`, version: 1, baselined: true },
    ]);
  });

  it('creates on an empty database exactly the schema the old code created', async () => {
    const old = await open('cw_baseline_ddl');
    await old.query(PRE_RUNNER_WATCHER_DDL);
    await old.query(PRE_RUNNER_OUTBOX_DDL);
    const fresh = await open('cw_baseline_new');
    await migrateWatcherSchema(fresh);
    expect(await schemaSnapshot(fresh, [MIGRATIONS_TABLE])).toEqual(await schemaSnapshot(old));
  });
});
