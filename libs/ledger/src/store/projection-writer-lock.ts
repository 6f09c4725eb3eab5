import { Client } from 'pg';
import { LedgerStoreError } from './ledger-store-error';

// Live projections hold it shared (any number of replicas); a rebuild holds it exclusively. Not advisoryLockKeySql:
// a new key would let a rebuild run beside an old replica's projection (libs/persistence README, advisory locks).
const WRITER_LOCK_KEY = 0x6c656468; // 'ledh'

/** A held advisory lock; release it when the holder stops. */
export interface HeldLock {
  /** False once the lock's connection is gone (terminated, failover): Postgres released the lock with it. */
  held(): boolean;
  /** Releases the lock; nothing to do when its connection is already gone. */
  release(): Promise<void>;
}

/**
 * Take the projection-writer lock on a connection of its own (a session lock lives as long as its session):
 * `shared` for a live projection, exclusive for a rebuild. Never waits: throws `LEDGER_REBUILD_RUNNING` (shared)
 * or `LEDGER_IN_USE` (exclusive) when the other kind is held, so a rebuild cannot truncate tables under a live
 * consumer and no consumer starts mid-rebuild.
 */
export async function takeProjectionWriterLock(
  database: { databaseUrl: string },
  mode: 'shared' | 'exclusive',
): Promise<HeldLock> {
  const client = new Client({
    connectionString: database.databaseUrl,
    application_name: 'ledger-writer-lock',
  });
  let lost = false;
  // Listening for the session's whole life: an 'error' without a listener would end the process.
  const onLoss = () => (lost = true);
  client.on('error', onLoss);
  client.on('end', onLoss);
  try {
    await client.connect();
    const fn = mode === 'shared' ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock';
    const { rows } = await client.query<{ locked: boolean }>(`SELECT ${fn}($1) AS locked`, [WRITER_LOCK_KEY]);
    if (!rows[0]?.locked)
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
    await client.end().catch(() => undefined);
    throw err;
  }
  let released = false;
  return {
    held: () => !lost && !released,
    async release() {
      if (released) return;
      released = true;
      // Ending the session releases its locks; an explicit unlock first would only add a round trip.
      await client.end().catch(() => undefined);
    },
  };
}
