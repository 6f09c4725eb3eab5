import { createPgPool, withTransaction, type DatabaseTimeouts } from '@microraiden/persistence';
import type { Pool } from 'pg';
import type { KafkaClientOptions } from './kafka-client';
import { createOutboxListener } from './outbox-listener';
import { createRelayLeadership } from './outbox-relay-leadership';
import {
  delayAfter,
  inIdOrder,
  outboxLagOf,
  pruneDue,
  relayPacing,
  relayStatements,
  type OutboxLag,
  type RelayStep,
} from './outbox-relay-plan';
import { outboxTable } from './outbox-table';
import { createSleeper, type Sleeper } from './relay-sleeper';
import { createRecordProducer, type RecordProducer } from './record-producer';

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
  /**
   * While idle with LISTEN up, the poll doubles per empty step up to this (a NOTIFY still wakes the relay at once).
   * Default 2,000 ms; set it to `pollIntervalMs` to poll at a constant rate.
   */
  idlePollMaxMs?: number;
  /**
   * How often a relay that does not lead tries to (outbox-relay-leadership.ts): after a leader dies, its rows wait
   * at most about this long for the next one. Default 1,000 ms.
   */
  standbyIntervalMs?: number;
  /** LISTEN for enqueueEvent's notifications for low latency. Default true. */
  listen?: boolean;
  /** Delete published rows older than this; `null` keeps them. Default one day. */
  retainPublishedMs?: number | null;
  /** Lock and statement timeouts of the relay's sessions (default libs/persistence's). */
  timeouts?: DatabaseTimeouts;
}

export type { OutboxLag } from './outbox-relay-plan';

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

/**
 * Relay of the transactional outbox. One relay at a time publishes a table's rows: each batch transaction first
 * takes a transaction-scoped advisory lock on the table in BEGIN's round trip (others find it taken and wait for
 * their next poll), marks the oldest unpublished rows published and reads them in one statement, publishes them
 * (idempotent producer, acks=all) and commits: three round trips per batch, two when the lock is taken. So any
 * number of relays (one per replica) can run for failover, rows go out in id order (hence in commit
 * order per channel, see enqueueEvent), and a relay that dies mid-batch leaves its rows to the next one: each row is
 * published at least once. Only the database's leading relay polls (a session lock, outbox-relay-leadership.ts); the
 * others try to lead every `standbyIntervalMs`, so the outbox costs the same number of transactions however many
 * replicas run. The decisions (statements, waits, pruning) are `outbox-relay-plan.ts`; this is the shell.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { table, channel } = outboxTable(options.table);
  const sql = relayStatements(table);
  const pacing = relayPacing(options);
  const { batchSize } = pacing;
  const retainPublishedMs = options.retainPublishedMs === undefined ? 86_400_000 : options.retainPublishedMs;
  const log = options.client.log ?? (() => undefined);
  const pool = openRelayPool(options, log);
  const producer = createRecordProducer(options.client);
  const sleeper = createSleeper();
  const listener = createOutboxListener({
    databaseUrl: options.databaseUrl,
    channel,
    onNotification: () => sleeper.wake(),
    log,
  });
  const leadership = createRelayLeadership({ databaseUrl: options.databaseUrl, quotedTable: table, log });
  let running: Promise<void> | undefined;
  let stopping = false;
  let lastPrune = 0;

  const relayBatch = () => publishBatch(pool, producer, sql, batchSize);

  async function prune(): Promise<void> {
    if (!pruneDue(Date.now(), lastPrune, retainPublishedMs)) return;
    lastPrune = Date.now();
    await pool.query(sql.prune, [retainPublishedMs]);
  }

  async function loop(): Promise<void> {
    let failuresInARow = 0;
    let emptyInARow = 0;
    while (!stopping) {
      let outcome: RelayStep;
      try {
        if (!(await leadership.lead())) {
          await standBy(sleeper, Date.now() + pacing.standbyIntervalMs, () => stopping);
          continue;
        }
        if (options.listen !== false) await listener.ensure();
        const published = await relayBatch();
        failuresInARow = 0;
        await prune();
        const listening = options.listen !== false && listener.listening();
        outcome = { ok: true, published, emptyInARow, listening };
        emptyInARow = published === 0 ? emptyInARow + 1 : 0;
      } catch (err) {
        outcome = { ok: false, failuresInARow: ++failuresInARow };
        const delay = delayAfter(outcome, pacing);
        log('warn', `outbox relay failed (${failuresInARow} in a row), retrying in ${delay} ms`, {
          error: (err as Error).message,
        });
      }
      const delay = delayAfter(outcome, pacing);
      if (delay > 0) await sleeper.sleep(delay);
    }
  }

  return {
    async start() {
      if (running || stopping) throw new Error('this outbox relay was already started');
      await producer.connect();
      running = loop();
    },
    publishPending: () => relayBatch(),
    async lag() {
      const { rows } = await pool.query<{ unpublished: string; oldest_ms: string | null }>(sql.lag);
      return outboxLagOf(rows[0]!);
    },
    async stop() {
      stopping = true;
      sleeper.wake();
      await running;
      running = undefined;
      await leadership.end();
      await listener.end();
      await producer.disconnect();
      await pool.end();
    },
  };
}

/**
 * One batch: how many rows it published; 0 also when another relay holds the table. A connection lost midway
 * rolls the batch back (its rows stay unpublished, and may already be in Kafka: at least once).
 */
function publishBatch(
  pool: Pool,
  producer: RecordProducer,
  sql: ReturnType<typeof relayStatements>,
  batchSize: number,
): Promise<number> {
  return withTransaction(
    pool,
    async (tx, lock) => {
      if (lock[0]?.holder !== true) return 0;
      // Prepared once per connection, named after the lock key (hence the table): two tables never share one.
      const claim = { name: `outbox_relay_claim_${sql.lockKey}`, text: sql.claim, values: [batchSize] };
      const claimed = await tx.query<OutboxRow>(claim);
      if (claimed.rows.length === 0) return 0;
      const rows = inIdOrder(claimed.rows);
      await producer.send(
        rows.map((row) => ({ topic: row.topic, key: row.key, value: row.payload, headers: row.headers })),
      );
      return rows.length;
    },
    { firstStatement: sql.lock },
  );
}

/** The relay's own two connections, with the timeouts of libs/persistence. */
function openRelayPool(options: OutboxRelayOptions, log: NonNullable<KafkaClientOptions['log']>) {
  return createPgPool({
    databaseUrl: options.databaseUrl,
    max: 2,
    applicationName: 'outbox-relay',
    ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
    onIdleError: (err) => log('warn', 'idle outbox connection failed', { error: err.message }),
  });
}

/** Waits until `until` (or stop): a NOTIFY that wakes the sleeper does not make a standby try again sooner. */
async function standBy(sleeper: Sleeper, until: number, stopped: () => boolean) {
  while (!stopped() && Date.now() < until) await sleeper.sleep(until - Date.now());
}
