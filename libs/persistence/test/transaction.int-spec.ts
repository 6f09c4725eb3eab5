import { createTestDatabase, type TestDatabase } from '@microraiden/testing';
import { Client, type Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgPool } from '../src/pg-pool';
import { withTransaction } from '../src/transaction';
import { isTransientDatabaseError } from '../src/transient-database-error';

describe('withTransaction and createPgPool (real Postgres)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let admin: Client;
  const idleErrors: Error[] = [];

  const terminate = (applicationName: string) =>
    admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2',
      [db.name, applicationName],
    );

  beforeAll(async () => {
    db = await createTestDatabase({ prefix: 'persistence_tx' });
    pool = createPgPool({
      databaseUrl: db.url,
      max: 2,
      applicationName: 'tx-under-test',
      timeouts: { lockTimeoutMs: 300, statementTimeoutMs: 1_000 },
      onIdleError: (err) => idleErrors.push(err),
    });
    admin = new Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(
      'CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL); INSERT INTO counter VALUES (1, 0)',
    );
  });
  afterAll(async () => {
    await pool?.end();
    await admin?.end();
    await db?.drop();
  });

  it('a backend terminated mid-transaction rejects the work, rolls back, and the pool recovers', async () => {
    const outcome = withTransaction(pool, async (tx) => {
      await tx.query('UPDATE counter SET n = n + 1 WHERE id = 1');
      // Idle in transaction, like the outbox relay between its lock and its claim, when the backend goes.
      await terminate('tx-under-test');
      await new Promise((resolve) => setTimeout(resolve, 200));
      await tx.query('SELECT 1');
    });
    await expect(outcome).rejects.toSatisfy(isTransientDatabaseError);
    // The process is still here (vitest would report the unhandled 'error' event) and the increment is gone.
    const { rows } = await pool.query<{ n: number }>('SELECT n FROM counter WHERE id = 1');
    expect(rows[0]?.n).toBe(0);
    await withTransaction(pool, (tx) => tx.query('UPDATE counter SET n = n + 1 WHERE id = 1'));
    expect((await pool.query<{ n: number }>('SELECT n FROM counter')).rows[0]?.n).toBe(1);
  });

  it('every client of the pool has an error listener while checked out, from the moment it is handed over', async () => {
    const client = await pool.connect();
    try {
      // pg-pool removes its own listener on checkout; a FATAL read before the taker adds one would crash.
      expect(client.listenerCount('error')).toBeGreaterThan(0);
    } finally {
      client.release();
    }
  });

  it('idle connections terminated between checkouts are reported to onIdleError, not thrown', async () => {
    await Promise.all([pool.query('SELECT pg_sleep(0.05)'), pool.query('SELECT pg_sleep(0.05)')]);
    const before = idleErrors.length;
    await terminate('tx-under-test');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(idleErrors.length).toBeGreaterThan(before);
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
  });

  it('a lock held elsewhere fails the statement after lock_timeout with 55P03, and nothing is written', async () => {
    await admin.query('BEGIN; LOCK TABLE counter IN ACCESS EXCLUSIVE MODE');
    const started = performance.now();
    try {
      const outcome = withTransaction(pool, (tx) => tx.query('UPDATE counter SET n = n + 100 WHERE id = 1'));
      await expect(outcome).rejects.toMatchObject({ code: '55P03' });
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      await admin.query('ROLLBACK');
    }
    expect((await pool.query<{ n: number }>('SELECT n FROM counter')).rows[0]?.n).toBe(1);
  });

  it('a statement running past statement_timeout is cancelled with 57014', async () => {
    const outcome = pool.query('SELECT pg_sleep(3)');
    await expect(outcome).rejects.toMatchObject({ code: '57014' });
    await expect(outcome).rejects.toSatisfy(isTransientDatabaseError);
  });

  it('a burst of terminations under concurrent transactions never crashes and leaves a consistent count', async () => {
    const before = (await pool.query<{ n: number }>('SELECT n FROM counter')).rows[0]!.n;
    let committed = 0;
    let stop = false;
    const killer = (async () => {
      while (!stop) {
        await terminate('tx-under-test').catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const workers = Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 100; i++) {
        try {
          await withTransaction(pool, async (tx) => {
            await tx.query('UPDATE counter SET n = n + 1 WHERE id = 1');
            await tx.query('SELECT pg_sleep(0.002)');
          });
          committed += 1;
        } catch (err) {
          // A lost COMMIT may or may not have committed; anything else must be a transient failure.
          expect(isTransientDatabaseError(err)).toBe(true);
        }
      }
    });
    await Promise.all(workers);
    stop = true;
    await killer;
    const after = (await pool.query<{ n: number }>('SELECT n FROM counter')).rows[0]!.n;
    expect(committed).toBeGreaterThan(0);
    // Every acknowledged commit is there; at most the few in-doubt COMMITs beyond them.
    expect(after - before).toBeGreaterThanOrEqual(committed);
    expect(after - before).toBeLessThanOrEqual(400);
  });

  it("runs firstStatement in BEGIN's round trip, inside the transaction, and hands its rows to the work", async () => {
    const seen = await withTransaction(
      pool,
      async (tx, first) => {
        const { rows } = await tx.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()`,
        );
        return { first, locksHeld: rows[0]?.n };
      },
      { firstStatement: 'SELECT pg_try_advisory_xact_lock(4242) AS holder' },
    );
    expect(seen).toEqual({ first: [{ holder: true }], locksHeld: 1 });
    // Transaction-scoped, so released at COMMIT.
    const { rows } = await admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242`,
    );
    expect(rows[0]?.n).toBe(0);
    // A failing first statement rejects without running the work; the pool's clients stay usable.
    let ran = false;
    const failing = withTransaction(
      pool,
      async () => {
        ran = true;
      },
      { firstStatement: 'SELECT 1 / 0' },
    );
    await expect(failing).rejects.toMatchObject({ code: '22012' });
    expect(ran).toBe(false);
    await expect(withTransaction(pool, async (_tx, first) => first)).resolves.toEqual([]);
  });
});
