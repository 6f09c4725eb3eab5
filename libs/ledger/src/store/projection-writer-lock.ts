import type { DataSource } from 'typeorm';
import { LedgerStoreError } from './ledger-store-error';

// Live projections hold it shared (any number of replicas); a rebuild holds it exclusively.
const WRITER_LOCK_KEY = 0x6c656468; // 'ledh'

/** A held advisory lock; release it when the holder stops. */
export interface HeldLock {
  /** False once the lock's connection is gone (terminated, failover): Postgres released the lock with it. */
  held(): boolean;
  /** Releases the lock; nothing to do when its connection is already gone. */
  release(): Promise<void>;
}

/**
 * Take the projection-writer lock on a dedicated connection: `shared` for a live projection, exclusive for a
 * rebuild. Never waits: throws `LEDGER_REBUILD_RUNNING` (shared) or `LEDGER_IN_USE` (exclusive) when the other
 * kind is held, so a rebuild cannot truncate tables under a live consumer and no consumer starts mid-rebuild.
 */
export async function takeProjectionWriterLock(
  dataSource: DataSource,
  mode: 'shared' | 'exclusive',
): Promise<HeldLock> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const fn = mode === 'shared' ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock';
    const [row] = (await runner.query(`SELECT ${fn}($1) AS locked`, [WRITER_LOCK_KEY])) as Array<{
      locked: boolean;
    }>;
    if (!row?.locked)
      throw mode === 'shared'
        ? new LedgerStoreError(
            'LEDGER_REBUILD_RUNNING',
            'a ledger rebuild is running; the projection starts after it',
          )
        : new LedgerStoreError(
            'LEDGER_IN_USE',
            'a ledger projection is running: stop the ledger service before rebuilding',
          );
  } catch (err) {
    await runner.release();
    throw err;
  }
  const unlock = mode === 'shared' ? 'pg_advisory_unlock_shared' : 'pg_advisory_unlock';
  return {
    // TypeORM releases a query runner whose connection emits 'error'.
    held: () => !runner.isReleased,
    async release() {
      if (runner.isReleased) return;
      try {
        await runner.query(`SELECT ${unlock}($1)`, [WRITER_LOCK_KEY]);
      } finally {
        await runner.release();
      }
    },
  };
}
