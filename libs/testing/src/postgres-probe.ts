import { Client } from 'pg';
import { InfrastructureError } from './infrastructure-error';
import { redactUrl } from './redact-url';

/** Resolve once `databaseUrl` accepts a connection and answers `SELECT 1`, or throw INFRA_UNREACHABLE. */
export async function checkPostgres(
  databaseUrl: string,
  what = `Postgres at ${redactUrl(databaseUrl)}`,
): Promise<void> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new InfrastructureError(
      'INFRA_UNREACHABLE',
      `${what} does not answer: ${(err as Error).message}`,
      { databaseUrl: redactUrl(databaseUrl) },
      err,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** True when `databaseUrl` answers `SELECT 1` (see checkPostgres). */
export async function postgresAnswers(databaseUrl: string): Promise<boolean> {
  return checkPostgres(databaseUrl).then(
    () => true,
    () => false,
  );
}
