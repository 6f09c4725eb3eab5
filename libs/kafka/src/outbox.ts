import {
  encodeEvent,
  eventHeaders,
  partitionKeyOf,
  topicFor,
  type MicroraidenEvent,
} from '@microraiden/events';
import { outboxTable } from './outbox-table';

/**
 * Runs SQL with positional parameters: a pg Client or PoolClient (inside the caller's transaction).
 */
export interface SqlExecutor {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/** Where the outbox lives; the default table is `outbox` in the search path. */
export interface OutboxOptions {
  /** `table` or `schema.table`, lower case. */
  table?: string;
}

/** Options of {@link enqueueEvent}. */
export interface EnqueueOptions extends OutboxOptions {
  /** Default: the event's catalogue topic. */
  topic?: string;
  /**
   * Wake listening relays at commit (default true). NOTIFY takes a brief global lock at commit; at very high
   * commit rates turn it off and let relays poll.
   */
  notify?: boolean;
}

/** One outbox row's columns (topic, key, payload, headers) for an event, for callers that insert rows in bulk. */
export interface OutboxRow {
  readonly topic: string;
  readonly key: string;
  readonly payload: Buffer;
  readonly headers: Record<string, string>;
}

/**
 * The outbox row of `event`: topic (the catalogue's unless given), key and headers as direct publishing would set
 * them, and the encoded payload. Throws EventEncodeError for an invalid event.
 */
export function outboxRowOf(event: MicroraidenEvent, topic?: string): OutboxRow {
  return {
    topic: topic ?? topicFor(event),
    key: partitionKeyOf(event),
    payload: encodeEvent(event),
    headers: eventHeaders(event),
  };
}

/** The quoted SQL name of an outbox table (`table` or `schema.table`); throws for anything else. */
export function quotedOutboxTable(name?: string): string {
  return outboxTable(name).table;
}

/**
 * Add `event` to the outbox inside the caller's transaction (pass the transaction's client): it is published iff
 * the transaction commits. Topic and key (the channel id) come from the catalogue so they cannot disagree with
 * direct publishing. Throws EventEncodeError for an invalid event, failing the caller's transaction.
 *
 * Rows of one key are published in id order. Ids are taken at insert, not at commit, so callers must serialise
 * their transactions per channel (e.g. lock the channel row first) for id order to be the order they commit in.
 */
export async function enqueueEvent(
  db: SqlExecutor,
  event: MicroraidenEvent,
  options: EnqueueOptions = {},
): Promise<void> {
  const { table, channel } = outboxTable(options.table);
  const row = outboxRowOf(event, options.topic);
  const values = [row.topic, row.key, row.payload, row.headers];
  if (options.notify === false) {
    await db.query(`INSERT INTO ${table} (topic, key, payload, headers) VALUES ($1, $2, $3, $4)`, values);
    return;
  }
  // One round trip: the notification is queued with the insert and delivered only if the transaction commits.
  await db.query(
    `WITH row AS (INSERT INTO ${table} (topic, key, payload, headers) VALUES ($1, $2, $3, $4) RETURNING id)
     SELECT pg_notify($5, '') FROM row`,
    [...values, channel],
  );
}
