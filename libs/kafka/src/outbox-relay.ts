import { createHash } from 'node:crypto';
import { createPgPool, withTransaction, type DatabaseTimeouts } from '@microraiden/persistence';
import { Client } from 'pg';
import type { KafkaClientOptions } from './kafka-client';
import { outboxTable } from './outbox-table';
import { createRecordProducer } from './record-producer';

/** Options of {@link createOutboxRelay}. */
export interface OutboxRelayOptions {
  /** The database holding the outbox (the relay opens its own connections). */
  databaseUrl: string;
  client: KafkaClientOptions;
  /** `table` or `schema.table`; default `outbox`. */
  table?: string;
  /** Rows published per transaction. Default 100. */
  batchSize?: number;
  /** Poll period when no NOTIFY arrives (a missed notification costs at most this). Default 500 ms. */
  pollIntervalMs?: number;
  /** LISTEN for enqueueEvent's notifications for low latency. Default true. */
  listen?: boolean;
  /** Delete published rows older than this; `null` keeps them. Default one day. */
  retainPublishedMs?: number | null;
  /** Lock and statement timeouts of the relay's sessions (default libs/persistence's). */
  timeouts?: DatabaseTimeouts;
}

/** Backlog of the outbox (for gauges and alerts). */
export interface OutboxLag {
  /** Rows not yet published. */
  unpublished: number;
  /** Age of the oldest unpublished row in ms; 0 when there is none. */
  oldestUnpublishedAgeMs: number;
}

/** The advisory lock key of a table's relay: a signed 64-bit integer derived from its quoted name. */
function relayLockKey(quotedTable: string): string {
  const digest = createHash('sha256').update(`microraiden.outbox.relay ${quotedTable}`).digest();
  return digest.readBigInt64BE(0).toString();
}

/** Publishes outbox rows to Kafka; see {@link createOutboxRelay}. */
export interface OutboxRelay {
  /** Start relaying in the background until stop(). */
  start(): Promise<void>;
  /** Publish one batch now and return how many rows it published (tests, one-off scripts). */
  publishPending(): Promise<number>;
  /** Current backlog. */
  lag(): Promise<OutboxLag>;
  /** Finish the batch in hand, then close connections; a stopped relay cannot be started again. */
  stop(): Promise<void>;
}

interface OutboxRow {
  id: string;
  topic: string;
  key: string | null;
  payload: Buffer;
  headers: Record<string, string>;
}

const PRUNE_EVERY_MS = 60_000;
const LISTEN_RETRY_MS = 5_000;

/**
 * Relay of the transactional outbox. One relay at a time publishes a table's rows: each batch transaction first
 * takes a transaction-scoped advisory lock on the table (others find it taken and wait for their next poll), reads
 * the oldest unpublished rows, publishes them (idempotent producer, acks=all) and marks them published before it
 * commits. So any number of relays (one per replica) can run for failover, rows go out in id order (hence in commit
 * order per channel, see enqueueEvent), and a relay that dies mid-batch leaves its rows to the next one: each row is
 * published at least once.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { table, channel } = outboxTable(options.table);
  const batchSize = options.batchSize ?? 100;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const retainPublishedMs = options.retainPublishedMs === undefined ? 86_400_000 : options.retainPublishedMs;
  const log = options.client.log ?? (() => undefined);
  const pool = createPgPool({
    databaseUrl: options.databaseUrl,
    max: 2,
    applicationName: 'outbox-relay',
    ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
    onIdleError: (err) => log('warn', 'idle outbox connection failed', { error: err.message }),
  });
  const producer = createRecordProducer(options.client);

  let running: Promise<void> | undefined;
  let stopping = false;
  let listener: Client | undefined;
  let wake: (() => void) | undefined;
  let lastPrune = 0;
  let lastListenAttempt = 0;

  // The lock is taken in its own statement so the claim's snapshot is newer than the previous holder's commit:
  // a claim that saw the old snapshot would publish that holder's rows again.
  const lockSql = `SELECT pg_try_advisory_xact_lock(${relayLockKey(table)}) AS holder`;
  const claimSql = `
    SELECT id, topic, key, payload, headers FROM ${table}
    WHERE published_at IS NULL ORDER BY id LIMIT $1`;

  /**
   * One batch: how many rows it published; 0 also when another relay holds the table. A connection lost midway
   * rolls the batch back (its rows stay unpublished, and may already be in Kafka: at least once).
   */
  function relayBatch(): Promise<number> {
    return withTransaction(pool, async (tx) => {
      const { rows: lock } = await tx.query<{ holder: boolean }>(lockSql);
      if (lock[0]?.holder !== true) return 0;
      const { rows } = await tx.query<OutboxRow>(claimSql, [batchSize]);
      if (rows.length === 0) return 0;
      await producer.send(
        rows.map((row) => ({ topic: row.topic, key: row.key, value: row.payload, headers: row.headers })),
      );
      await tx.query(`UPDATE ${table} SET published_at = now() WHERE id = ANY($1::bigint[])`, [
        rows.map((row) => row.id),
      ]);
      return rows.length;
    });
  }

  async function prune(): Promise<void> {
    if (retainPublishedMs === null || Date.now() - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = Date.now();
    await pool.query(
      `DELETE FROM ${table} WHERE id IN (
         SELECT id FROM ${table} WHERE published_at < now() - $1 * interval '1 millisecond' LIMIT 10000)`,
      [retainPublishedMs],
    );
  }

  /** (Re)connect the LISTEN client, at most every few seconds; relaying never waits on it (polling covers). */
  async function ensureListener(): Promise<void> {
    if (options.listen === false || listener || stopping || Date.now() - lastListenAttempt < LISTEN_RETRY_MS)
      return;
    lastListenAttempt = Date.now();
    const client = new Client({ connectionString: options.databaseUrl });
    client.on('notification', () => wake?.());
    client.on('error', (err) => {
      log('warn', 'outbox LISTEN connection failed; polling until it is back', { error: err.message });
      if (listener === client) listener = undefined;
      client.end().catch(() => undefined);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${channel}"`);
      listener = client;
    } catch (err) {
      log('warn', 'outbox LISTEN connection failed; polling meanwhile', { error: (err as Error).message });
      await client.end().catch(() => undefined);
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        if (wake === done) wake = undefined;
        resolve();
      }
      wake = done;
    });
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      try {
        await ensureListener();
        const published = await relayBatch();
        failures = 0;
        await prune();
        if (published >= batchSize) continue;
        await sleep(pollIntervalMs);
      } catch (err) {
        failures += 1;
        const delay = Math.min(10_000, 200 * 2 ** Math.min(failures, 6));
        log('warn', `outbox relay failed (${failures} in a row), retrying in ${delay} ms`, {
          error: (err as Error).message,
        });
        await sleep(delay);
      }
    }
  }

  return {
    async start() {
      if (running || stopping) throw new Error('this outbox relay was already started');
      await producer.connect();
      running = loop();
    },
    async publishPending() {
      return relayBatch();
    },
    async lag() {
      const { rows } = await pool.query<{ unpublished: string; oldest_ms: string | null }>(
        `SELECT count(*) AS unpublished,
           (SELECT extract(epoch FROM now() - created_at) * 1000 FROM ${table}
             WHERE published_at IS NULL ORDER BY id LIMIT 1) AS oldest_ms
         FROM ${table} WHERE published_at IS NULL`,
      );
      const row = rows[0]!;
      return {
        unpublished: Number(row.unpublished),
        oldestUnpublishedAgeMs: row.oldest_ms === null ? 0 : Math.max(0, Math.round(Number(row.oldest_ms))),
      };
    },
    async stop() {
      stopping = true;
      wake?.();
      await running;
      running = undefined;
      await listener?.end().catch(() => undefined);
      listener = undefined;
      await producer.disconnect();
      await pool.end();
    },
  };
}
