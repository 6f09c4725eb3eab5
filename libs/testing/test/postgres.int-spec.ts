import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createTestDatabase,
  databaseNameOf,
  isTestDatabaseName,
  type TestDatabase,
} from '@microraiden/testing';

describe('integration Postgres', () => {
  const databaseUrl = inject('databaseUrl');
  let db: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    db = await createTestDatabase({ prefix: 'postgres_int_spec' });
    client = new Client({ connectionString: db.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('provides a database whose name marks it as test data', () => {
    expect(isTestDatabaseName(databaseNameOf(databaseUrl))).toBe(true);
    expect(process.env.DATABASE_URL).toBe(databaseUrl);
  });

  it('creates a table and queries it in a private database', async () => {
    expect(db.name).toMatch(/^test_postgres_int_spec_/);
    await client.query('CREATE TABLE deposits (channel text PRIMARY KEY, amount numeric(78, 0) NOT NULL)');
    await client.query('INSERT INTO deposits VALUES ($1, $2), ($3, $4)', [
      'a',
      '10',
      'b',
      (2n ** 255n).toString(),
    ]);
    const { rows } = await client.query<{ total: string }>('SELECT sum(amount)::text AS total FROM deposits');
    expect(BigInt(rows[0]!.total)).toBe(2n ** 255n + 10n);
    const current = await client.query<{ name: string }>('SELECT current_database() AS name');
    expect(current.rows[0]!.name).toBe(db.name);
  });

  it('drops a test database even while a connection is still open', async () => {
    const other = await createTestDatabase({ prefix: 'dropped' });
    const open = new Client({ connectionString: other.url });
    await open.connect();
    open.on('error', () => undefined); // the forced drop terminates this session
    await other.drop();
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [other.name]);
    expect(rowCount).toBe(0);
    await other.drop(); // idempotent
    await open.end().catch(() => undefined);
  });
});
