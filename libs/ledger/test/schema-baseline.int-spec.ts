import { aBalanceProofAccepted, aChannelCreated, aChannelId } from '@microraiden/events';
import { MIGRATIONS_TABLE, runMigrations } from '@microraiden/persistence';
import { createTestDatabase, schemaSnapshot, type TestDatabase } from '@microraiden/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  applyBatch,
  evolve,
  findChannel,
  LEDGER_MIGRATIONS,
  migrateLedger,
  openLedgerDatabase,
  viewOf,
  type LedgerDatabase,
} from '../src';
import { rowOf } from '../src/store/channel-row';
import { TYPEORM_MIGRATIONS_TABLE_DDL, TYPEORM_V1_DDL, TYPEORM_V2_DDL } from './support/typeorm-schema';

const NOW = new Date('2025-03-01T00:00:00.000Z');
// TypeORM's version table stays behind, unused: only the old databases have it.
const VERSION_TABLES = [MIGRATIONS_TABLE, 'ledger_migrations'];
const NAMES = LEDGER_MIGRATIONS.migrations.map((m) => m.name);

// A ledger database created by the TypeORM migrations migrates forward onto libs/persistence's runner without loss.
describe('ledger schema: databases the TypeORM migrations created', () => {
  const databases: TestDatabase[] = [];
  const opened: LedgerDatabase[] = [];
  const open = async (prefix: string, typeormVersions: 0 | 1 | 2 = 0) => {
    const db = await createTestDatabase({ prefix });
    databases.push(db);
    const database = openLedgerDatabase(db.url, { poolSize: 2 });
    opened.push(database);
    if (typeormVersions > 0) await database.query(TYPEORM_MIGRATIONS_TABLE_DDL);
    if (typeormVersions >= 1) await database.query(TYPEORM_V1_DDL);
    if (typeormVersions >= 2) await database.query(TYPEORM_V2_DDL);
    return database;
  };
  const versions = async (database: LedgerDatabase) =>
    (
      await database.query<{ version: number; name: string; baselined: boolean }>(
        `SELECT version, name, baselined FROM ${MIGRATIONS_TABLE} WHERE store = 'ledger' ORDER BY 1`,
      )
    ).map(({ name, baselined }) => [name, baselined]);
  /** The schema the runner builds on an empty database, to compare a migrated old one with. */
  const freshSchema = async () => {
    const fresh = await open('ledger_baseline_fresh');
    await migrateLedger(fresh);
    return schemaSnapshot(fresh.pool, VERSION_TABLES);
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((d) => d.close()));
    await Promise.all(databases.splice(0).map((d) => d.drop()));
  });

  it('records both TypeORM versions as baselined, keeps every row, and keeps projecting', async () => {
    const old = await open('ledger_baseline_v2', 2);
    const channelId = aChannelId('baseline');
    // The row as the old code wrote it: the columns of its time (jsonb_populate_record drops later ones).
    const created = evolve(undefined, aChannelCreated({ channelId, deposit: 1000n }), NOW);
    if (created.outcome !== 'applied') throw new Error('the builder made an unusable event');
    const row = rowOf(created.state, viewOf(created.state));
    await old.query(
      `INSERT INTO ledger_channels SELECT * FROM jsonb_populate_record(NULL::ledger_channels, $1::jsonb)`,
      [JSON.stringify(row)],
    );
    await old.query(`INSERT INTO ledger_offsets (topic, partition, next_offset) VALUES ('chain', 0, 1)`);

    expect(await migrateLedger(old)).toEqual(NAMES.slice(2));
    expect(await migrateLedger(old)).toEqual([]);

    expect(await schemaSnapshot(old.pool, VERSION_TABLES)).toEqual(await freshSchema());
    expect(await findChannel(old, channelId)).toMatchObject({ status: 'open', deposit: 1000n, balance: 0n });
    expect(await old.query(`SELECT topic, partition, next_offset::int FROM ledger_offsets`)).toEqual([
      { topic: 'chain', partition: 0, next_offset: 1 },
    ]);
    expect(await versions(old)).toEqual(NAMES.map((name, i) => [name, i < 2]));
    const proof = aBalanceProofAccepted({ channelId, previousBalance: 0n, balance: 10n, price: 10n });
    await applyBatch(
      old,
      { topic: 'proofs', partition: 0, events: [{ event: proof, offset: 0n }], nextOffset: 1n },
      NOW,
    );
    expect(await findChannel(old, channelId)).toMatchObject({ status: 'open', balance: 10n, proofCount: 1 });
  });

  it('backfills the charged balance with the accepted balance of channels projected before version 3', async () => {
    const database = await open('ledger_baseline_charged');
    await runMigrations(database.pool, {
      ...LEDGER_MIGRATIONS,
      migrations: LEDGER_MIGRATIONS.migrations.slice(0, 2),
    });
    const channelId = aChannelId('before-charges');
    const accepted = evolve(undefined, aBalanceProofAccepted({ channelId, balance: 300n }), NOW);
    if (accepted.outcome !== 'applied') throw new Error('the builder made an unusable event');
    // The row and proof state as version 2's code wrote them: no charged balance anywhere.
    const row = rowOf(accepted.state, viewOf(accepted.state));
    const { chargedBalance: _dropped, ...oldProofState } = row.proof_state as Record<string, unknown>;
    await database.query(
      `INSERT INTO ledger_channels SELECT * FROM jsonb_populate_record(NULL::ledger_channels, $1::jsonb)`,
      [JSON.stringify({ ...row, proof_state: oldProofState })],
    );

    expect(await migrateLedger(database)).toEqual(NAMES.slice(2));
    expect(await findChannel(database, channelId)).toMatchObject({ balance: 300n, chargedBalance: 300n });
    // The next metered proof charges from there: C 300 -> 340.
    const metered = aBalanceProofAccepted({
      channelId,
      previousBalance: 300n,
      balance: 400n,
      charge: 40n,
      chargedBalance: 340n,
    });
    await applyBatch(
      database,
      { topic: 'proofs', partition: 0, events: [{ event: metered, offset: 0n }], nextOffset: 1n },
      NOW,
    );
    expect(await findChannel(database, channelId)).toMatchObject({ balance: 400n, chargedBalance: 340n });
    expect(await database.query(`SELECT amount::text FROM ledger_revenue_by_day`)).toEqual([
      { amount: '40' },
    ]);
  });

  it('runs the close-signed columns (and later versions) on a database TypeORM left at its first version', async () => {
    const old = await open('ledger_baseline_v1', 1);

    expect(await migrateLedger(old)).toEqual(NAMES.slice(1));

    expect(await versions(old)).toEqual(NAMES.map((name, i) => [name, i < 1]));
    expect(await schemaSnapshot(old.pool, VERSION_TABLES)).toEqual(await freshSchema());
  });

  it('builds with its first two versions exactly the schema the TypeORM migrations created', async () => {
    const typeorm = await open('ledger_baseline_typeorm', 2);
    const fresh = await open('ledger_baseline_new');
    await runMigrations(fresh.pool, {
      ...LEDGER_MIGRATIONS,
      migrations: LEDGER_MIGRATIONS.migrations.slice(0, 2),
    });
    expect(await schemaSnapshot(fresh.pool, VERSION_TABLES)).toEqual(
      await schemaSnapshot(typeorm.pool, VERSION_TABLES),
    );
    expect(await versions(fresh)).toEqual(NAMES.slice(0, 2).map((name) => [name, false]));
  });
});
