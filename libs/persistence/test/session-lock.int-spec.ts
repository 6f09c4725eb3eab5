import { Client } from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { SessionLock } from '../src/session-lock';

describe('SessionLock (real Postgres)', () => {
  const name = `test-lock-${process.pid}-${Date.now()}`;
  const locks: SessionLock[] = [];
  const aLock = () => {
    const lock = new SessionLock(inject('databaseUrl'), name);
    locks.push(lock);
    return lock;
  };
  afterAll(async () => {
    for (const lock of locks) await lock.release();
  });

  it('is held by one process at a time and passes on when released', async () => {
    const [a, b] = [aLock(), aLock()];
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    expect(await a.tryAcquire()).toBe(true);
    expect(await a.stillHeld()).toBe(true);
    expect(await b.stillHeld()).toBe(false);
    await a.release();
    expect(await a.stillHeld()).toBe(false);
    expect(await b.tryAcquire()).toBe(true);
    await b.release();
  });

  it('notices when its connection is killed, and the lock passes to another process', async () => {
    const [a, b] = [aLock(), aLock()];
    expect(await a.tryAcquire()).toBe(true);
    const admin = new Client({ connectionString: inject('databaseUrl') });
    await admin.connect();
    try {
      // What a database restart or a network cut does to the holder's session.
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks
         WHERE locktype = 'advisory' AND objid = (hashtextextended($1, 0) & 4294967295)::oid AND granted`,
        [name],
      );
    } finally {
      await admin.end();
    }
    expect(await a.stillHeld()).toBe(false);
    expect(await b.tryAcquire()).toBe(true);
    expect(await a.tryAcquire()).toBe(false);
    await b.release();
  });
});
