import { isMicroraidenError } from '@microraiden/errors';
import { describe, expect, it } from 'vitest';
import { assertTestDatabase, databaseNameOf, isTestDatabaseName } from './test-database-guard';

describe('test database guard', () => {
  it('reads the database name from a postgres URL', () => {
    expect(databaseNameOf('postgres://postgres@127.0.0.1:5432/microraiden_test')).toBe('microraiden_test');
    expect(databaseNameOf('postgresql://u:p@db/ledger%5Ftest?sslmode=disable')).toBe('ledger_test');
  });

  it('accepts only names containing "test"', () => {
    expect(isTestDatabaseName('microraiden_test')).toBe(true);
    expect(isTestDatabaseName('test_ledger_abc')).toBe(true);
    expect(isTestDatabaseName('microraiden')).toBe(false);
    expect(isTestDatabaseName('')).toBe(false);
  });

  it('refuses a non-test database without leaking its password', () => {
    let caught: unknown;
    try {
      assertTestDatabase('postgres://app:hunter2@prod-db:5432/microraiden');
    } catch (err) {
      caught = err;
    }
    expect(isMicroraidenError(caught, 'UNSAFE_TEST_DATABASE')).toBe(true);
    expect((caught as Error).message).toContain('"microraiden"');
    expect((caught as Error).message).not.toContain('hunter2');
    expect(() => assertTestDatabase('postgres://postgres@127.0.0.1/microraiden_test')).not.toThrow();
  });
});
