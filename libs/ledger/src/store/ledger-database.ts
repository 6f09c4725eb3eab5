import {
  createPgPool,
  DEFAULT_DATABASE_TIMEOUTS,
  runMigrations,
  withTransaction,
  type DatabaseTimeouts,
} from '@microraiden/persistence';
import type { Pool, PoolClient } from 'pg';
import { copyFrom } from './copy-from';
import { LEDGER_MIGRATIONS } from './ledger-schema';

/** The rows of one statement: all that the ledger's reads and writes need of a pool or a transaction. */
export interface LedgerSql {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** `COPY ... FROM STDIN` of a text-format payload (see copy-from.ts); resolves with the rows copied. */
  copyFrom(statement: string, payload: string): Promise<number>;
}

/** The ledger's Postgres: plain SQL over a pool of libs/persistence (see the README for why not TypeORM). */
export interface LedgerDatabase extends LedgerSql {
  readonly databaseUrl: string;
  readonly pool: Pool;
  /** Runs `work` in one transaction (withTransaction): COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(work: (tx: LedgerSql) => Promise<T>, options?: { repeatableRead?: boolean }): Promise<T>;
  /** Ends the pool's connections. */
  close(): Promise<void>;
}

/** Options of {@link openLedgerDatabase}. */
export interface LedgerDatabaseOptions {
  /** Most connections at once. Default 10. */
  poolSize?: number;
  timeouts?: DatabaseTimeouts;
  /** Told when an idle connection fails (it is already discarded). Default: ignored. */
  onIdleError?: (err: Error) => void;
}

/** {@link LedgerSql} over a pool or a checked-out client. */
export function ledgerSqlOf(client: Pool | PoolClient): LedgerSql {
  return {
    query: async <R>(text: string, params?: readonly unknown[]) =>
      (await client.query(text, params as unknown[] | undefined)).rows as R[],
    copyFrom: async (statement, payload) => {
      if (!isPool(client)) return copyFrom(client, statement, payload);
      const checkedOut = await client.connect();
      try {
        return await copyFrom(checkedOut, statement, payload);
      } finally {
        checkedOut.release();
      }
    },
  };
}

const isPool = (client: Pool | PoolClient): client is Pool => 'totalCount' in client;

/** A pool over the ledger's database whose sessions carry the lock and statement timeouts. */
export function openLedgerDatabase(databaseUrl: string, options: LedgerDatabaseOptions = {}): LedgerDatabase {
  const pool = createPgPool({
    databaseUrl,
    max: options.poolSize ?? 10,
    timeouts: options.timeouts ?? DEFAULT_DATABASE_TIMEOUTS,
    applicationName: 'ledger',
    onIdleError: options.onIdleError ?? (() => undefined),
  });
  let closing: Promise<void> | undefined;
  return {
    databaseUrl,
    pool,
    ...ledgerSqlOf(pool),
    transaction: (work, { repeatableRead = false } = {}) =>
      withTransaction(pool, async (client) => {
        if (repeatableRead) await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
        return work(ledgerSqlOf(client));
      }),
    close: () => (closing ??= pool.end()),
  };
}

/**
 * Brings the schema to its latest version through libs/persistence's runner (one advisory lock: replicas starting
 * together run each migration once). Returns the names of the migrations this call ran.
 */
export async function migrateLedger(database: LedgerDatabase): Promise<string[]> {
  const [report] = await runMigrations(database.pool, LEDGER_MIGRATIONS);
  const names = new Map(LEDGER_MIGRATIONS.migrations.map((m) => [m.version, m.name]));
  return (report?.ran ?? []).map((version) => names.get(version) ?? String(version));
}
