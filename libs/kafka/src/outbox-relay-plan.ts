import { createHash } from 'node:crypto';

// The relay's decisions, free of I/O: what SQL it runs on a table, how long it waits after each step, when it
// prunes, and how it reads the backlog. createOutboxRelay is the shell that runs them.

/**
 * The advisory lock key of a table's relay: a signed 64-bit integer derived from its quoted name. Not
 * advisoryLockKeySql: a new key would let old and new relays run at once during a rolling deploy (libs/persistence
 * README, "Every advisory lock in the database").
 */
export function relayLockKey(quotedTable: string): string {
  const digest = createHash('sha256').update(`microraiden.outbox.relay ${quotedTable}`).digest();
  return digest.readBigInt64BE(0).toString();
}

/** The relay's statements on one outbox table. */
export function relayStatements(table: string) {
  const lockKey = relayLockKey(table);
  return {
    lockKey,
    // The lock is taken in its own statement so the claim's snapshot is newer than the previous holder's commit:
    // a claim that saw the old snapshot would publish that holder's rows again. It goes in BEGIN's round trip.
    lock: `SELECT pg_try_advisory_xact_lock(${lockKey}) AS holder`,
    // Claims the oldest unpublished rows and marks them published in one statement, before they are sent: the mark
    // commits only after Kafka acknowledged them (a failed send rolls it back), so a row is still published at least
    // once, and a batch costs one round trip less than reading, sending, then marking. RETURNING has no order: see
    // inIdOrder.
    claim: `
    UPDATE ${table} SET published_at = now()
    WHERE id IN (SELECT id FROM ${table} WHERE published_at IS NULL ORDER BY id LIMIT $1)
    RETURNING id, topic, key, payload, headers`,
    prune: `DELETE FROM ${table} WHERE id IN (
         SELECT id FROM ${table} WHERE published_at < now() - $1 * interval '1 millisecond' LIMIT 10000)`,
    lag: `SELECT count(*) AS unpublished,
           (SELECT extract(epoch FROM now() - created_at) * 1000 FROM ${table}
             WHERE published_at IS NULL ORDER BY id LIMIT 1) AS oldest_ms
         FROM ${table} WHERE published_at IS NULL`,
  };
}

/** Rows by ascending bigint id (pg reads bigint as a decimal string), the order they must be published in. */
export function inIdOrder<R extends { readonly id: string }>(rows: readonly R[]): R[] {
  return [...rows].sort((a, b) => a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * How one step of the relay loop ended: `emptyInARow` counts the steps before this one that found nothing, `listening`
 * whether the LISTEN connection was up (a NOTIFY will wake the relay, so the poll is only a safety net).
 */
export type RelayStep =
  | { ok: true; published: number; emptyInARow: number; listening: boolean }
  | { ok: false; failuresInARow: number };

/** How the relay paces itself. */
export interface RelayPacing {
  batchSize: number;
  pollIntervalMs: number;
  /** The longest poll while idle and listening. */
  idlePollMaxMs: number;
  standbyIntervalMs: number;
}

/** The relay's pacing: its options with their defaults (documented on OutboxRelayOptions). */
export function relayPacing(options: Partial<RelayPacing>): RelayPacing {
  return {
    batchSize: options.batchSize ?? 100,
    pollIntervalMs: options.pollIntervalMs ?? 500,
    idlePollMaxMs: options.idlePollMaxMs ?? 2_000,
    standbyIntervalMs: options.standbyIntervalMs ?? 1_000,
  };
}

/**
 * Milliseconds to wait before the next step: none after a full batch (more rows are likely waiting), the poll
 * interval after a partial one, and a capped exponential backoff after failures. An idle relay whose LISTEN is up
 * doubles its poll with every empty step up to `idlePollMaxMs`: a NOTIFY wakes it at once, so idle polls only guard
 * a dropped notification, and an idle paywall costs a few statements a second less.
 */
export function delayAfter(step: RelayStep, pacing: Omit<RelayPacing, 'standbyIntervalMs'>): number {
  if (!step.ok) return Math.min(10_000, 200 * 2 ** Math.min(step.failuresInARow, 6));
  if (step.published >= pacing.batchSize) return 0;
  if (step.published > 0 || !step.listening) return pacing.pollIntervalMs;
  const backedOff = pacing.pollIntervalMs * 2 ** Math.min(step.emptyInARow, 16);
  return Math.max(pacing.pollIntervalMs, Math.min(pacing.idlePollMaxMs, backedOff));
}

export const PRUNE_EVERY_MS = 60_000;

/** Whether published rows are due for deletion: kept forever with `null`, otherwise at most once a minute. */
export function pruneDue(now: number, lastPrune: number, retainPublishedMs: number | null): boolean {
  return retainPublishedMs !== null && now - lastPrune >= PRUNE_EVERY_MS;
}

/** Backlog of the outbox (for gauges and alerts). */
export interface OutboxLag {
  /** Rows not yet published. */
  unpublished: number;
  /** Age of the oldest unpublished row in ms; 0 when there is none. */
  oldestUnpublishedAgeMs: number;
}

/** The backlog as the lag statement's row reads it (count as text, age as a possibly fractional number). */
export function outboxLagOf(row: { unpublished: string; oldest_ms: string | null }): OutboxLag {
  return {
    unpublished: Number(row.unpublished),
    oldestUnpublishedAgeMs: row.oldest_ms === null ? 0 : Math.max(0, Math.round(Number(row.oldest_ms))),
  };
}
