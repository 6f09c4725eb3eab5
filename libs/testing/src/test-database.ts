import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { InfrastructureError } from './infrastructure-error';
import { assertTestDatabase } from './test-database-guard';

/** A private database for one test file. */
export interface TestDatabase {
  /** Database name; always contains "test". */
  name: string;
  /** postgres:// URL of the database, on the same server and with the same credentials as the run's. */
  url: string;
  /** Drop the database, closing any connection the test left open. Safe to call twice. */
  drop(): Promise<void>;
}

function serverUrlFromEnv(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new InfrastructureError(
      'INFRA_MISCONFIGURED',
      'DATABASE_URL is not set: run integration tests with `vitest --project integration` (its global setup provides Postgres)',
    );
  }
  return url;
}

async function onServer<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Create a fresh, empty database named `test_<prefix>_<random>` on the run's server (DATABASE_URL unless
 * `serverUrl` is given). Each test file gets its own, so schemas and rows never leak between files or
 * between concurrent runs; call `drop()` in `afterAll`.
 */
export async function createTestDatabase(
  options: { prefix?: string; serverUrl?: string } = {},
): Promise<TestDatabase> {
  const serverUrl = options.serverUrl ?? serverUrlFromEnv();
  const prefix = (options.prefix ?? 'db')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 30);
  const name = `test_${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  assertTestDatabase(databaseUrl);
  // template0 never has sessions, so concurrent creates cannot fail on "template1 is being accessed".
  await onServer(serverUrl, (client) => client.query(`CREATE DATABASE "${name}" TEMPLATE template0`));
  return {
    name,
    url: databaseUrl,
    drop: () =>
      onServer(serverUrl, async (client) => {
        // Sessions a test has just closed may still be ending on the server; FORCE would send them a FATAL that
        // surfaces as an uncaught error in a client that already dropped its listeners. Give them a second first.
        for (let waited = 0; waited < 1_000; waited += 50) {
          const { rows } = await client.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
            [name],
          );
          if (rows[0]?.n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }),
  };
}
