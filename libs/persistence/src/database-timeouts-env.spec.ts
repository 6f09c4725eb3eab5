import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { DATABASE_TIMEOUTS_ENV, databaseTimeoutsOf } from './database-timeouts-env';

const schema = z.object(DATABASE_TIMEOUTS_ENV);

describe('DATABASE_TIMEOUTS_ENV', () => {
  it('defaults to a 2 s lock timeout and a 5 s statement timeout', () => {
    expect(databaseTimeoutsOf(schema.parse({}))).toEqual({ lockTimeoutMs: 2_000, statementTimeoutMs: 5_000 });
  });

  it('reads both from the environment; 0 turns one off', () => {
    const config = schema.parse({ DB_LOCK_TIMEOUT_MS: '250', DB_STATEMENT_TIMEOUT_MS: '0' });
    expect(databaseTimeoutsOf(config)).toEqual({ lockTimeoutMs: 250, statementTimeoutMs: 0 });
  });

  it('refuses negative or fractional values', () => {
    expect(schema.safeParse({ DB_LOCK_TIMEOUT_MS: '-1' }).success).toBe(false);
    expect(schema.safeParse({ DB_STATEMENT_TIMEOUT_MS: '1.5' }).success).toBe(false);
  });
});
