import { Pool } from 'pg';

/** Server-side limits on every statement of a pool's sessions (Postgres `lock_timeout`, `statement_timeout`). */
export interface DatabaseTimeouts {
  /** Longest wait for a lock (a row, a table, an advisory lock) before the statement fails with 55P03. 0 = none. */
  lockTimeoutMs: number;
  /** Longest run of one statement, waits included, before it is cancelled with 57014. 0 = none. */
  statementTimeoutMs: number;
}

/**
 * Defaults: a paid request waits at most 2 s for a lock and 5 s for a statement, then gets a 503 it can retry
 * (docs/protocol.md 8.2). Locks are held for milliseconds in normal operation, so 2 s means something else (a
 * migration, an operator's `LOCK TABLE`, a stuck session) holds them; 5 s is far above the slowest statement the
 * services run (a batch of 500 ledger events, a 64-proof acceptance) and well below a client's patience.
 */
export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = {
  lockTimeoutMs: 2_000,
  statementTimeoutMs: 5_000,
};

/** Options of {@link createPgPool}. */
export interface PgPoolOptions {
  databaseUrl: string;
  /** Most connections at once. Default 10. */
  max?: number;
  /** Default {@link DEFAULT_DATABASE_TIMEOUTS}. */
  timeouts?: DatabaseTimeouts;
  /** Longest wait for a connection (a new one, or a free one of a full pool). Default 5 s. */
  connectionTimeoutMs?: number;
  /** Shown in `pg_stat_activity.application_name`, so an operator sees whose sessions they are. */
  applicationName?: string;
  /** Told when an idle connection fails; it is already discarded and the next checkout opens a new one. */
  onIdleError: (err: Error) => void;
}

/**
 * The one way services open a Postgres pool: every session carries the lock and statement timeouts, a checkout
 * never waits forever, and an idle connection that dies (failover, a terminated backend) is reported instead of
 * crashing the process (pg emits 'error' on the pool; with no listener Node exits). Check clients out only
 * through {@link withTransaction}, or use `pool.query`, which guards its client itself.
 */
export function createPgPool(options: PgPoolOptions): Pool {
  const timeouts = options.timeouts ?? DEFAULT_DATABASE_TIMEOUTS;
  const pool = new Pool({
    connectionString: options.databaseUrl,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    ...pgSessionSettings(timeouts),
    ...(options.applicationName === undefined ? {} : { application_name: options.applicationName }),
  });
  pool.on('error', options.onIdleError);
  // pg-pool drops its idle listener from a client it hands out before the taker can add one, and a new
  // connection's FATAL can arrive in the same socket read as its ReadyForQuery: without a listener for the client's
  // whole life that is an unhandled 'error' event. Losses still reach callers through their failing queries.
  pool.on('connect', (client) => client.on('error', ignoreClientError));
  return pool;
}

function ignoreClientError(): void {}

/** The pg client settings that carry `timeouts` to the server at connect. */
export function pgSessionSettings(timeouts: DatabaseTimeouts): {
  lock_timeout: number;
  statement_timeout: number;
} {
  return { lock_timeout: timeouts.lockTimeoutMs, statement_timeout: timeouts.statementTimeoutMs };
}
