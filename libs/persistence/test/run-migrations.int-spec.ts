import { createTestDatabase, type TestDatabase } from '@microraiden/testing';
import { Client, type Pool } from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { advisoryLockKeySql, MIGRATION_LOCK_NAME } from '../src/advisory-lock-key';
import type { MigrationSet } from '../src/migrations/migration';
import { MIGRATIONS_TABLE, runMigrations } from '../src/migrations/run-migrations';
import { createPgPool } from '../src/pg-pool';
import { isTransientDatabaseError } from '../src/transient-database-error';

const NOTES_V1 = 'CREATE TABLE IF NOT EXISTS notes (id int PRIMARY KEY, body text NOT NULL)';
const NOTES_V2 = 'ALTER TABLE notes ADD COLUMN IF NOT EXISTS author text';

/** A store whose v1 and v2 were once created by hand-written DDL (what the code did before the runner). */
const notes: MigrationSet = {
  store: 'notes',
  migrations: [
    {
      version: 1,
      name: 'create notes',
      up: NOTES_V1,
      presentWhen: `SELECT to_regclass('notes') IS NOT NULL AS present`,
    },
    {
      version: 2,
      name: 'add author',
      up: NOTES_V2,
      presentWhen: `SELECT EXISTS (SELECT 1 FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name = 'notes' AND column_name = 'author') AS present`,
    },
    { version: 3, name: 'index author', up: 'CREATE INDEX notes_author_idx ON notes (author)' },
  ],
};

describe('runMigrations (real Postgres)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let admin: Client;

  const versions = async (store: string) =>
    (
      await admin.query<{ version: number; name: string; baselined: boolean }>(
        `SELECT version, name, baselined FROM ${MIGRATIONS_TABLE} WHERE store = $1 ORDER BY version`,
        [store],
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestDatabase({ prefix: 'persistence_migrate' });
    pool = createPgPool({
      databaseUrl: db.url,
      max: 4,
      timeouts: { lockTimeoutMs: 500, statementTimeoutMs: 5_000 },
      onIdleError: () => undefined,
    });
    admin = new Client({ connectionString: db.url });
    await admin.connect();
  });
  beforeEach(async () => {
    await admin.query(`DROP TABLE IF EXISTS notes, ${MIGRATIONS_TABLE}, failing`);
  });
  afterAll(async () => {
    await pool?.end();
    await admin?.end();
    await db?.drop();
  });

  it('runs every version on an empty database once, even from four replicas at once, and records them', async () => {
    const reports = await Promise.all(Array.from({ length: 4 }, () => runMigrations(pool, notes)));
    expect(reports.map((r) => r[0]!.ran).filter((ran) => ran.length > 0)).toEqual([[1, 2, 3]]);
    expect(await versions('notes')).toEqual([
      { version: 1, name: 'create notes', baselined: false },
      { version: 2, name: 'add author', baselined: false },
      { version: 3, name: 'index author', baselined: false },
    ]);
    expect(await runMigrations(pool, notes)).toEqual([{ store: 'notes', ran: [], baselined: [] }]);
  });

  it('recognises a database created by the old DDL: keeps its rows, records the old versions, runs the rest', async () => {
    await admin.query(`${NOTES_V1}; ${NOTES_V2}; INSERT INTO notes VALUES (1, 'kept', 'ann')`);
    expect(await runMigrations(pool, notes)).toEqual([{ store: 'notes', ran: [3], baselined: [1, 2] }]);
    expect((await admin.query('SELECT id, body, author FROM notes')).rows).toEqual([
      { id: 1, body: 'kept', author: 'ann' },
    ]);
    expect(await versions('notes')).toEqual([
      { version: 1, name: 'create notes', baselined: true },
      { version: 2, name: 'add author', baselined: true },
      { version: 3, name: 'index author', baselined: false },
    ]);
    expect((await admin.query(`SELECT to_regclass('notes_author_idx') AS idx`)).rows[0].idx).toBe(
      'notes_author_idx',
    );
  });

  it('baselines only the leading versions present: an older database gets the missing ones run', async () => {
    await admin.query(`${NOTES_V1}; INSERT INTO notes VALUES (1, 'kept')`);
    expect(await runMigrations(pool, notes)).toEqual([{ store: 'notes', ran: [2, 3], baselined: [1] }]);
    expect((await admin.query('SELECT id, body, author FROM notes')).rows).toEqual([
      { id: 1, body: 'kept', author: null },
    ]);
  });

  it('leaves nothing behind when a migration fails: neither its tables nor any version of the run', async () => {
    const failing: MigrationSet = {
      store: 'failing',
      migrations: [
        { version: 1, name: 'create failing', up: 'CREATE TABLE failing (id int)' },
        { version: 2, name: 'broken', up: 'ALTER TABLE failing ADD COLUMN id int' },
      ],
    };
    await expect(runMigrations(pool, [notes, failing])).rejects.toThrow(/already exists/);
    expect((await admin.query(`SELECT to_regclass('failing') AS t, to_regclass('notes') AS n`)).rows).toEqual(
      [{ t: null, n: null }],
    );
    expect((await admin.query(`SELECT to_regclass($1) AS t`, [MIGRATIONS_TABLE])).rows[0].t).toBeNull();
  });

  it('refuses a database whose recorded version has another name', async () => {
    await runMigrations(pool, notes);
    const edited: MigrationSet = {
      store: 'notes',
      migrations: [{ ...notes.migrations[0]!, name: 'create the notes' }],
    };
    await expect(runMigrations(pool, edited)).rejects.toMatchObject({ code: 'MIGRATION_CONFLICT' });
  });

  it('waits for the migration lock no longer than the lock timeout, failing with a transient error', async () => {
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(${advisoryLockKeySql('$1')})`, [MIGRATION_LOCK_NAME]);
      const err = await runMigrations(pool, notes).catch((e: unknown) => e);
      expect(isTransientDatabaseError(err)).toBe(true);
      expect((await admin.query(`SELECT to_regclass('notes') AS t`)).rows[0].t).toBeNull();
    } finally {
      await holder.end();
    }
    expect((await runMigrations(pool, notes))[0]!.ran).toEqual([1, 2, 3]);
  });
});
