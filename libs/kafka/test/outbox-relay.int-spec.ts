import { spawn } from 'node:child_process';
import path from 'node:path';
import {
  EVENT_HEADERS,
  aBalanceProofAccepted,
  aChannelId,
  decodeEvent,
  type MicroraidenEvent,
} from '@microraiden/events';
import { createTestDatabase, repoRoot, uniqueTopic, type TestDatabase } from '@microraiden/testing';
import { Pool } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import {
  createOutboxRelay,
  enqueueEvent,
  ensureTopics,
  migrateOutbox,
  relayLeaderLockName,
  type KafkaClientOptions,
  type OutboxRelay,
  type SqlExecutor,
} from '../src';
import { readTopic, type ReadMessage } from './support/read-topic';

const brokers = inject('kafkaBrokers').split(',');
const client: KafkaClientOptions = { brokers, clientId: 'outbox-int-spec' };

let db: TestDatabase;
let pool: Pool;
const relays: OutboxRelay[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'kafka_outbox', serverUrl: inject('databaseUrl') });
  pool = new Pool({ connectionString: db.url, max: 8 });
});

afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.stop()));
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

function relayOf(
  table: string,
  overrides: { batchSize?: number; pollIntervalMs?: number; standbyIntervalMs?: number } = {},
) {
  const relay = createOutboxRelay({ databaseUrl: db.url, client, table, pollIntervalMs: 50, ...overrides });
  relays.push(relay);
  return relay;
}

async function freshTopic(partitions = 3): Promise<string> {
  const topic = uniqueTopic('kafka-lib.outbox');
  await ensureTopics(client, [{ name: topic, partitions }]);
  return topic;
}

/** Run `work` in a transaction on one pooled connection, committing unless it throws. */
async function inTransaction(work: (tx: SqlExecutor) => Promise<void>): Promise<void> {
  const connection = await pool.connect();
  try {
    await connection.query('BEGIN');
    await work(connection);
    await connection.query('COMMIT');
  } catch (err) {
    await connection.query('ROLLBACK');
    throw err;
  } finally {
    connection.release();
  }
}

async function countRows(table: string): Promise<{ total: number; unpublished: number }> {
  const { rows } = await pool.query<{ total: string; unpublished: string }>(
    `SELECT count(*) AS total, count(*) FILTER (WHERE published_at IS NULL) AS unpublished FROM ${table}`,
  );
  return { total: Number(rows[0]!.total), unpublished: Number(rows[0]!.unpublished) };
}

function idsOf(messages: readonly ReadMessage[]): string[] {
  return messages.map((m) => {
    const decoded = decodeEvent(m.value!);
    if (!decoded.ok) throw decoded.error;
    return decoded.event.id;
  });
}

/** A readTopic goal: `count` distinct event ids seen (by header, incrementally: decoding each time is quadratic). */
function distinctEvents(count: number) {
  const seen = new Set<string>();
  let scanned = 0;
  return (messages: readonly ReadMessage[]) => {
    for (; scanned < messages.length; scanned++) seen.add(messages[scanned]!.headers[EVENT_HEADERS.id]!);
    return seen.size >= count;
  };
}

/** `perChannel` balance proofs on each of `channels` channels, balances increasing per channel. */
function proofs(channels: number, perChannel: number, tag: string): MicroraidenEvent[][] {
  return Array.from({ length: channels }, (_, c) =>
    Array.from({ length: perChannel }, (_, i) =>
      aBalanceProofAccepted({ channelId: aChannelId(`${tag}-${c}`), balance: BigInt(10 * (i + 1)) }),
    ),
  );
}

describe('outbox migration', () => {
  it('creates the table once even when replicas migrate concurrently', async () => {
    await Promise.all(Array.from({ length: 4 }, () => migrateOutbox(pool, { table: 'outbox_migrated' })));
    await migrateOutbox(pool, { table: 'outbox_migrated' });
    const { rows } = await pool.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_name = 'outbox_migrated' ORDER BY ordinal_position`,
    );
    expect(rows.map((r) => [r.column_name, r.data_type])).toEqual([
      ['id', 'bigint'],
      ['topic', 'text'],
      ['key', 'text'],
      ['payload', 'bytea'],
      ['headers', 'jsonb'],
      ['created_at', 'timestamp with time zone'],
      ['published_at', 'timestamp with time zone'],
    ]);
  });
});

describe('outbox relay', () => {
  it('two relays publish every row once, leave none behind, and keep per-channel order', async () => {
    const table = 'outbox_pair';
    await migrateOutbox(pool, { table });
    const topic = await freshTopic(3);
    const channels = proofs(12, 50, 'pair');
    const enqueueChannel = async (events: MicroraidenEvent[]) => {
      // One transaction after another per channel, as the gateway serialises a channel's acceptances.
      for (const event of events) await inTransaction((tx) => enqueueEvent(tx, event, { topic, table }));
    };
    // Half is waiting before the relays start, half arrives while they run.
    await Promise.all(channels.map((events) => enqueueChannel(events.slice(0, 25))));
    const a = relayOf(table, { batchSize: 10 });
    const b = relayOf(table, { batchSize: 10 });
    await Promise.all([a.start(), b.start()]);
    await Promise.all(channels.map((events) => enqueueChannel(events.slice(25))));

    await vi.waitFor(async () => expect((await a.lag()).unpublished).toBe(0), {
      timeout: 60_000,
      interval: 100,
    });
    expect(await countRows(table)).toEqual({ total: 600, unpublished: 0 });

    const expected = channels.flat().map((e) => e.id);
    const read = await readTopic(brokers, topic, distinctEvents(expected.length), 60_000);
    const ids = idsOf(read);
    expect(new Set(ids)).toEqual(new Set(expected));
    for (const events of channels) {
      const mine = new Set<string>(events.map((e) => e.id));
      const firstSeen = [...new Set(ids.filter((id) => mine.has(id)))];
      expect(firstSeen).toEqual(events.map((e) => e.id));
    }
    // One relay holds the table at a time, so nothing is published twice while neither dies.
    expect(ids).toHaveLength(expected.length);
    console.log(`two relays: ${ids.length} messages for ${expected.length} rows`);
  });

  it('only one relay leads; a standby takes over once the leader stops', async () => {
    const table = 'outbox_leader';
    await migrateOutbox(pool, { table });
    const topic = await freshTopic(1);
    const a = relayOf(table, { standbyIntervalMs: 200 });
    const b = relayOf(table, { standbyIntervalMs: 200 });
    const leaders = async () => {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks
         WHERE locktype = 'advisory' AND granted
           AND objid = (hashtextextended($1, 0) & 4294967295)::oid`,
        [relayLeaderLockName('"outbox_leader"')],
      );
      return rows[0]!.n;
    };
    // a starts alone, so a leads; b then stands by.
    await a.start();
    await vi.waitFor(async () => expect(await leaders()).toBe(1), { timeout: 10_000, interval: 50 });
    await b.start();

    const first = proofs(1, 5, 'leader-a').flat();
    await inTransaction(async (tx) => {
      for (const event of first) await enqueueEvent(tx, event, { topic, table });
    });
    await vi.waitFor(async () => expect((await countRows(table)).unpublished).toBe(0), { timeout: 10_000 });
    await a.stop();
    relays.splice(relays.indexOf(a), 1);
    const second = proofs(1, 5, 'leader-b').flat();
    await inTransaction(async (tx) => {
      for (const event of second) await enqueueEvent(tx, event, { topic, table, notify: false });
    });
    await vi.waitFor(async () => expect((await countRows(table)).unpublished).toBe(0), { timeout: 10_000 });
    expect(await leaders()).toBe(1);
    const read = await readTopic(brokers, topic, distinctEvents(10), 30_000);
    expect(new Set(idsOf(read))).toEqual(new Set([...first, ...second].map((e) => e.id)));
  });

  it('never publishes rows of a rolled-back transaction', async () => {
    const table = 'outbox_rollback';
    await migrateOutbox(pool, { table });
    const topic = await freshTopic(1);
    const [[committed, rolledBack, failed, sentinel]] = proofs(1, 4, 'rollback') as [MicroraidenEvent[]];

    await inTransaction((tx) => enqueueEvent(tx, committed!, { topic, table }));
    await expect(
      inTransaction(async (tx) => {
        await enqueueEvent(tx, rolledBack!, { topic, table });
        throw new Error('the request failed after enqueueing');
      }),
    ).rejects.toThrow('request failed');
    await expect(
      inTransaction(async (tx) => {
        await enqueueEvent(tx, failed!, { topic, table });
        await tx.query('SELECT 1 / 0');
      }),
    ).rejects.toThrow('division by zero');
    await inTransaction((tx) => enqueueEvent(tx, sentinel!, { topic, table }));

    await relayOf(table).start();
    // One channel, one partition: a published rolled-back row would be read before the sentinel.
    const read = await readTopic(brokers, topic, (m) => idsOf(m).includes(sentinel!.id));
    expect(idsOf(read)).toEqual([committed!.id, sentinel!.id]);
    expect(await countRows(table)).toEqual({ total: 2, unpublished: 0 });
  });

  it('a relay killed mid-way leaves nothing unpublished once another one runs', async () => {
    const table = 'outbox'; // the default name, which the child relay uses
    await migrateOutbox(pool);
    const topic = await freshTopic(3);
    const events = proofs(30, 100, 'killed').flat();
    const enqueueStarted = Date.now();
    await inTransaction(async (tx) => {
      for (const event of events) await enqueueEvent(tx, event, { topic, notify: false });
    });
    console.log(`killed relay: enqueued ${events.length} rows in ${Date.now() - enqueueStarted} ms`);

    const child = spawn(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        path.join(__dirname, 'support/run-relay.ts'),
        db.url,
        brokers.join(','),
        '10',
      ],
      { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_, signal) => resolve(signal)),
    );
    // Kill it once it is well under way, most likely with a claimed batch in flight.
    await vi.waitFor(
      async () => expect((await countRows(table)).unpublished).toBeLessThanOrEqual(events.length - 200),
      {
        timeout: 60_000,
        interval: 5,
      },
    );
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const atKill = await countRows(table);
    expect(atKill.unpublished).toBeGreaterThan(0);
    console.log(
      `killed relay: ${events.length - atKill.unpublished} of ${events.length} rows published before SIGKILL`,
    );

    // Postgres rolls back the dead relay's transaction; its locked rows go to the next relay.
    const relay = relayOf(table, { batchSize: 200 });
    const restarted = Date.now();
    await relay.start();
    await vi.waitFor(async () => expect((await countRows(table)).unpublished).toBe(0), {
      timeout: 60_000,
      interval: 20,
    });
    const drainMs = Date.now() - restarted;
    console.log(
      `killed relay: the next relay published the remaining ${atKill.unpublished} rows in ${drainMs} ms`,
    );
    const read = await readTopic(brokers, topic, distinctEvents(events.length), 60_000);
    expect(new Set(idsOf(read))).toEqual(new Set(events.map((e) => e.id)));
    console.log(`killed relay: ${read.length} messages for ${events.length} rows (duplicates are allowed)`);
  });

  it('reports the backlog and the age of the oldest unpublished row', async () => {
    const table = 'outbox_lag';
    await migrateOutbox(pool, { table });
    const topic = await freshTopic(1);
    const relay = relayOf(table);
    expect(await relay.lag()).toEqual({ unpublished: 0, oldestUnpublishedAgeMs: 0 });
    for (const event of proofs(1, 3, 'lag')[0]!)
      await inTransaction((tx) => enqueueEvent(tx, event, { topic, table }));
    await new Promise((resolve) => setTimeout(resolve, 120));
    const lag = await relay.lag();
    expect(lag.unpublished).toBe(3);
    expect(lag.oldestUnpublishedAgeMs).toBeGreaterThanOrEqual(100);
    expect(await relay.publishPending()).toBe(3);
    expect(await relay.lag()).toEqual({ unpublished: 0, oldestUnpublishedAgeMs: 0 });
  });

  it('wakes on NOTIFY instead of waiting for the next poll', async () => {
    const table = 'outbox_notify';
    await migrateOutbox(pool, { table });
    const topic = await freshTopic(1);
    await relayOf(table, { pollIntervalMs: 60_000 }).start();
    // Let the relay finish its first (empty) pass and go to sleep on LISTEN.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [event] = proofs(1, 1, 'notify')[0]!;
    const started = Date.now();
    await inTransaction((tx) => enqueueEvent(tx, event!, { topic, table }));
    await vi.waitFor(async () => expect((await countRows(table)).unpublished).toBe(0), {
      timeout: 10_000,
      interval: 10,
    });
    const latency = Date.now() - started;
    expect(latency).toBeLessThan(2_000);
    console.log(`NOTIFY to published: ${latency} ms`);
  });
});
