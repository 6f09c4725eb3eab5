import { z } from 'zod';
import { DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from './pg-pool';

const milliseconds = z.coerce.number().int().min(0).max(3_600_000);

/**
 * The environment keys of {@link DatabaseTimeouts}, one name in every service: spread into a service's config
 * schema. `0` turns a limit off (not advised: a locked table then stalls requests without bound).
 */
export const DATABASE_TIMEOUTS_ENV = {
  /** Postgres `lock_timeout` of the service's sessions, ms. */
  DB_LOCK_TIMEOUT_MS: milliseconds.default(DEFAULT_DATABASE_TIMEOUTS.lockTimeoutMs),
  /** Postgres `statement_timeout` of the service's sessions, ms. */
  DB_STATEMENT_TIMEOUT_MS: milliseconds.default(DEFAULT_DATABASE_TIMEOUTS.statementTimeoutMs),
};

/** The timeouts a config parsed with {@link DATABASE_TIMEOUTS_ENV} names. */
export function databaseTimeoutsOf(config: {
  DB_LOCK_TIMEOUT_MS: number;
  DB_STATEMENT_TIMEOUT_MS: number;
}): DatabaseTimeouts {
  return { lockTimeoutMs: config.DB_LOCK_TIMEOUT_MS, statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS };
}
