import { aBalanceProofAccepted, aChannelCreated, aChannelId } from '@microraiden/events';
import { MIGRATIONS_TABLE } from '@microraiden/persistence';
import { createTestDatabase, schemaSnapshot, type TestDatabase } from '@microraiden/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { applyBatch, findChannel, migrateLedger, openLedgerDatabase, type LedgerDatabase } from '../src';
import { TYPEORM_MIGRATIONS_TABLE_DDL, TYPEORM_V1_DDL, TYPEORM_V2_DDL } from './support/typeorm-schema';

const NOW = new Date('2025-03-01T00:00:00.000Z');
// TypeORM's version table stays behind, unused: only the old database has it.
const VERSION_TABLES = [MIGRATIONS_TABLE, 'ledger_migrations'];

// A ledger database created by the TypeORM migrations migrates forward onto libs/persistence's runner without loss.
describe('ledger schema: databases the TypeORM migrations created', () => {
  const databases: TestDatabase[] = [];
  const opened: LedgerDatabase[] = [];
  const open = async (prefix: string) => {
    const db = await createTestDatabase({ prefix });
    databases.push(db);
    const database = openLedgerDatabase(db.url, { poolSize: 2 });
    opened.push(database);
    return database;
  };
  const versions = (database: LedgerDatabase) =>
    database.query(
      `SELECT version, name, baselined FROM ${MIGRATIONS_TABLE} WHERE store = 'ledger' ORDER BY 1`,
    );
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((d) => d.close()));
    await Promise.all(databases.splice(0).map((d) => d.drop()));
  });

  it('records both TypeORM versions as baselined, keeps every row, changes nothing, and keeps projecting', async () => {
    const old = await open('ledger_baseline_v2');
    await old.query(TYPEORM_MIGRATIONS_TABLE_DDL);
    await old.query(TYPEORM_V1_DDL);
    await old.query(TYPEORM_V2_DDL);
    const channelId = aChannelId('baseline');
    await applyBatch(
      old,
      {
        topic: 'chain',
        partition: 0,
        events: [{ event: aChannelCreated({ channelId }), offset: 0n }],
        nextOffset: 1n,
      },
      NOW,
    );
    const before = await schemaSnapshot(old.pool);
    const channel = await findChannel(old, channelId);

    expect(await migrateLedger(old)).toEqual([]);
    expect(await migrateLedger(old)).toEqual([]);

    expect(await schemaSnapshot(old.pool, [MIGRATIONS_TABLE])).toEqual(before);
    expect(await findChannel(old, channelId)).toEqual(channel);
    expect(await versions(old)).toEqual([
      { version: 1, name: 'CreateLedger1764190000000', baselined: true },
      { version: 2, name: 'AddCloseSigned1764290000000', baselined: true },
    ]);
    const proof = aBalanceProofAccepted({ channelId, previousBalance: 0n, balance: 10n, price: 10n });
    await applyBatch(
      old,
      { topic: 'proofs', partition: 0, events: [{ event: proof, offset: 0n }], nextOffset: 1n },
      NOW,
    );
    expect(await findChannel(old, channelId)).toMatchObject({ status: 'open', balance: 10n, proofCount: 1 });
  });

  it('runs the close-signed columns on a database TypeORM left at its first version', async () => {
    const old = await open('ledger_baseline_v1');
    await old.query(TYPEORM_MIGRATIONS_TABLE_DDL);
    await old.query(TYPEORM_V1_DDL);

    expect(await migrateLedger(old)).toEqual(['AddCloseSigned1764290000000']);

    expect(await versions(old)).toEqual([
      { version: 1, name: 'CreateLedger1764190000000', baselined: true },
      { version: 2, name: 'AddCloseSigned1764290000000', baselined: false },
    ]);
    const typeorm = await open('ledger_baseline_typeorm');
    await typeorm.query(TYPEORM_MIGRATIONS_TABLE_DDL);
    await typeorm.query(TYPEORM_V1_DDL);
    await typeorm.query(TYPEORM_V2_DDL);
    expect(await schemaSnapshot(old.pool, VERSION_TABLES)).toEqual(
      await schemaSnapshot(typeorm.pool, VERSION_TABLES),
    );
  });

  it('creates on an empty database exactly the schema the TypeORM migrations created', async () => {
    const typeorm = await open('ledger_baseline_old');
    await typeorm.query(TYPEORM_MIGRATIONS_TABLE_DDL);
    await typeorm.query(TYPEORM_V1_DDL);
    await typeorm.query(TYPEORM_V2_DDL);
    const fresh = await open('ledger_baseline_new');

    expect(await migrateLedger(fresh)).toEqual(['CreateLedger1764190000000', 'AddCloseSigned1764290000000']);

    expect(await schemaSnapshot(fresh.pool, VERSION_TABLES)).toEqual(
      await schemaSnapshot(typeorm.pool, VERSION_TABLES),
    );
    expect((await versions(fresh)).map((v) => (v as { baselined: boolean }).baselined)).toEqual([
      false,
      false,
    ]);
  });
});
