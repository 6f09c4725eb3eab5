import type { Pool, PoolClient } from 'pg';
import { advisoryLockKeySql, MIGRATION_LOCK_NAME } from '../advisory-lock-key';
import { withTransaction } from '../transaction';
import type { AppliedMigration, Migration, MigrationSet } from './migration';
import { planMigrations } from './plan-migrations';

/** The one version table of a database: a row per store and version that ran (or was found already present). */
export const MIGRATIONS_TABLE = 'microraiden_migrations';

/** What one run did per store: versions run and versions recorded by the baseline without running. */
export interface MigrationReport {
  readonly store: string;
  readonly ran: readonly number[];
  readonly baselined: readonly number[];
}

/**
 * Brings every store of `sets` to its latest version, in one transaction under the migration advisory lock
 * ({@link MIGRATION_LOCK_NAME}): replicas starting together run each migration once, a failing migration leaves
 * nothing behind (neither its tables nor its version), and an up-to-date database sees no DDL at all (DDL, even
 * `CREATE INDEX IF NOT EXISTS`, locks its table and would queue behind, or deadlock with, a running replica).
 * The lock waits as long as the pool's `lock_timeout`, then fails with a transient error (retryTransient waits).
 */
export async function runMigrations(
  pool: Pool,
  sets: MigrationSet | readonly MigrationSet[],
): Promise<MigrationReport[]> {
  const all = Array.isArray(sets) ? (sets as readonly MigrationSet[]) : [sets as MigrationSet];
  return withTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(${advisoryLockKeySql('$1')})`, [MIGRATION_LOCK_NAME]);
    await ensureVersionTable(client);
    const reports: MigrationReport[] = [];
    for (const set of all) reports.push(await migrateStore(client, set));
    return reports;
  });
}

async function migrateStore(client: PoolClient, set: MigrationSet): Promise<MigrationReport> {
  const { rows } = await client.query<AppliedMigration>(
    `SELECT version, name FROM ${MIGRATIONS_TABLE} WHERE store = $1`,
    [set.store],
  );
  let pending = planMigrations(set, rows);
  const baselined: number[] = [];
  if (rows.length === 0) {
    for (const migration of pending) {
      if (!(await presentAlready(client, migration))) break;
      await record(client, set.store, migration, true);
      baselined.push(migration.version);
    }
    pending = pending.slice(baselined.length);
  }
  for (const migration of pending) {
    if (typeof migration.up === 'string') await client.query(migration.up);
    else await migration.up(client);
    await record(client, set.store, migration, false);
  }
  return { store: set.store, ran: pending.map((m) => m.version), baselined };
}

async function presentAlready(client: PoolClient, migration: Migration): Promise<boolean> {
  if (migration.presentWhen === undefined) return false;
  const { rows } = await client.query<{ present: boolean }>(migration.presentWhen);
  return rows[0]?.present === true;
}

async function record(client: PoolClient, store: string, migration: Migration, baselined: boolean) {
  await client.query(
    `INSERT INTO ${MIGRATIONS_TABLE} (store, version, name, baselined) VALUES ($1, $2, $3, $4)`,
    [store, migration.version, migration.name, baselined],
  );
}

// Created only while missing (checked first): CREATE TABLE IF NOT EXISTS on a present table is a no-op, but the
// check keeps the up-to-date path free of DDL statements altogether.
async function ensureVersionTable(client: PoolClient): Promise<void> {
  const { rows } = await client.query<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [
    MIGRATIONS_TABLE,
  ]);
  if (rows[0]?.present === true) return;
  await client.query(`
    CREATE TABLE ${MIGRATIONS_TABLE} (
      store      text NOT NULL,
      version    integer NOT NULL CHECK (version > 0),
      name       text NOT NULL,
      baselined  boolean NOT NULL DEFAULT false,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (store, version)
    )`);
}
