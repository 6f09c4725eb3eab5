import { MicroraidenError } from '@microraiden/errors';
import { redactUrl } from './redact-url';

/** A destructive test was pointed at a database whose name does not mark it as test data. */
export class UnsafeTestDatabaseError extends MicroraidenError<'UNSAFE_TEST_DATABASE'> {
  override readonly name = 'UnsafeTestDatabaseError';

  constructor(databaseUrl: string, database: string) {
    super(
      'UNSAFE_TEST_DATABASE',
      `refusing to run tests against database "${database}" (${redactUrl(databaseUrl)}): ` +
        'its name must contain "test" (e.g. microraiden_test)',
      { database },
    );
  }
}

/** Name of the database a postgres:// URL points at (empty when the URL names none). */
export function databaseNameOf(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
}

/** True when a database name marks it as disposable test data. */
export function isTestDatabaseName(name: string): boolean {
  return /test/i.test(name);
}

/**
 * Throw UnsafeTestDatabaseError unless the URL's database name contains "test": tests drop tables and
 * databases, and a stray DATABASE_URL must never point them at development or production data.
 */
export function assertTestDatabase(databaseUrl: string): void {
  const name = databaseNameOf(databaseUrl);
  if (!isTestDatabaseName(name)) throw new UnsafeTestDatabaseError(databaseUrl, name);
}
