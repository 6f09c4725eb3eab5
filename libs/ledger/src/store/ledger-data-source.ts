import {
  DEFAULT_DATABASE_TIMEOUTS,
  pgSessionSettings,
  type DatabaseTimeouts,
} from '@microraiden/persistence';
import { DataSource } from 'typeorm';
import { LEDGER_ENTITIES } from './ledger-entities';
import { CreateLedger1764190000000 } from './migrations/1764190000000-create-ledger';
import { AddCloseSigned1764290000000 } from './migrations/1764290000000-add-close-signed';

/** Committed migrations, in order. Never `synchronize`: the schema changes only through these. */
export const LEDGER_MIGRATIONS = [CreateLedger1764190000000, AddCloseSigned1764290000000];

// Arbitrary but fixed: every replica of the ledger takes the same Postgres advisory lock around migrations.
const MIGRATION_LOCK_KEY = 0x6c656467; // 'ledg'

/**
 * A TypeORM DataSource over the ledger's schema (not yet initialised). TypeORM guards its checked-out clients and
 * its pool with 'error' listeners itself; the sessions carry the lock and statement timeouts.
 */
export function createLedgerDataSource(
  databaseUrl: string,
  options: { poolSize?: number; timeouts?: DatabaseTimeouts } = {},
): DataSource {
  return new DataSource({
    type: 'postgres',
    url: databaseUrl,
    entities: LEDGER_ENTITIES,
    migrations: LEDGER_MIGRATIONS,
    migrationsTableName: 'ledger_migrations',
    synchronize: false,
    migrationsRun: false,
    extra: {
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      application_name: 'ledger',
      ...pgSessionSettings(options.timeouts ?? DEFAULT_DATABASE_TIMEOUTS),
    },
  });
}

/**
 * Run pending migrations under a Postgres advisory lock, so replicas starting together run them once and the
 * others wait, then find nothing to do. Returns the names of the migrations this call ran.
 */
export async function migrateLedger(dataSource: DataSource): Promise<string[]> {
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const ran = await dataSource.runMigrations({ transaction: 'all' });
      return ran.map((migration) => migration.name);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lock.release();
  }
}
