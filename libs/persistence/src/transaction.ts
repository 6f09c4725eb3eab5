import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';

/** Options of {@link withTransaction}. */
export interface TransactionOptions {
  /**
   * A statement without parameters sent in BEGIN's own round trip (one simple-protocol message, `BEGIN; ...`):
   * it runs first in the transaction, with its own snapshot, and its rows are `work`'s second argument. Spares
   * a round trip per transaction to callers that always start with the same statement (a lock).
   */
  readonly firstStatement?: string;
}

/**
 * Runs `work` in one transaction on a client checked out of `pool`: BEGIN (with `options.firstStatement`, if any),
 * then COMMIT when `work` resolves or ROLLBACK when it throws, and the client goes back to the pool in every case.
 *
 * The checked-out client has an 'error' listener for as long as it is out: pg's pool listens only on idle
 * clients, so a backend terminated mid-transaction (failover, pg_terminate_backend, a network cut) would
 * otherwise be an unhandled 'error' event that kills the process. The loss still reaches the caller, as the
 * rejection of the query in flight. A client that lost its connection, or whose ROLLBACK failed, is released
 * with the error so the pool discards it instead of handing a dead or half-open transaction to the next caller.
 *
 * When COMMIT itself fails because the connection was lost, Postgres may or may not have committed: callers
 * whose work is not idempotent must find out (re-read) before they report an outcome.
 */
export async function withTransaction<T>(
  pool: Pool,
  work: (tx: PoolClient, first: readonly QueryResultRow[]) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (err: Error) => {
    lost ??= err;
  };
  client.on('error', onError);
  let discard: Error | undefined;
  try {
    const begun = await client.query(
      options.firstStatement === undefined ? 'BEGIN' : `BEGIN; ${options.firstStatement}`,
    );
    // A simple query of two statements answers with one result each.
    const first = Array.isArray(begun) ? ((begun as QueryResult[])[1]?.rows ?? []) : [];
    const result = await work(client, first);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    discard = await rollback(client, lost);
    throw err;
  } finally {
    client.release(discard ?? lost);
    // Removed only now: from release on, the pool's own idle listener (and the pool's 'error' handler) take over.
    client.removeListener('error', onError);
  }
}

/** Rolls back; the error to discard the client with, when the connection is lost or the rollback failed. */
async function rollback(client: PoolClient, lost: Error | undefined): Promise<Error | undefined> {
  if (lost !== undefined) return lost;
  try {
    await client.query('ROLLBACK');
    return undefined;
  } catch (err) {
    return err as Error;
  }
}
