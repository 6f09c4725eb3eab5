import { setTimeout as sleep } from 'node:timers/promises';
import { Client as Postgres } from 'pg';
import { BALANCE_PROOF_ACCEPTED, decodeEvent, TOPICS } from '@microraiden/events';
import { kafkaTestClient } from '@microraiden/testing';
import type { AcceptedEvent, ChannelEvidence } from './reconcile';

/** The receiver's three books for a set of channels, without the client's side (reconcile adds it). */
export type Books = Map<string, Omit<ChannelEvidence, 'paid'>>;

async function withDatabase<T>(url: string, work: (db: Postgres) => Promise<T>): Promise<T> {
  const db = new Postgres({ connectionString: url });
  await db.connect();
  try {
    return await work(db);
  } finally {
    await db.end().catch(() => undefined);
  }
}

interface GatewayRow {
  channel_id: string;
  accepted_balance: string;
  paid_requests: string;
}
interface LedgerRow {
  channel_id: string;
  balance: string;
  proof_count: number;
  revenue: string | null;
}

/** gateway_channels and the ledger's channels with the increments it applied (its audit trail). */
async function readTables(databaseUrl: string, channelIds: string[]) {
  return withDatabase(databaseUrl, async (db) => {
    const gateway = await db.query<GatewayRow>(
      `SELECT channel_id, accepted_balance::text, paid_requests::text FROM gateway_channels
       WHERE channel_id = ANY($1)`,
      [channelIds],
    );
    const ledger = await db.query<LedgerRow>(
      `SELECT c.channel_id, c.balance::text, c.proof_count,
              (SELECT sum(a.amount)::text FROM ledger_audit a
                WHERE a.channel_id = c.channel_id AND a.outcome = 'applied' AND a.type = $2) AS revenue
       FROM ledger_channels c WHERE c.channel_id = ANY($1)`,
      [channelIds, BALANCE_PROOF_ACCEPTED],
    );
    return { gateway: gateway.rows, ledger: ledger.rows };
  });
}

/** Every `balance-proof.accepted` event on the topic, from offset 0 to the high watermark, for `wanted` channels. */
export async function readAcceptedEvents(
  brokers: string,
  wanted: ReadonlySet<string>,
): Promise<Map<string, AcceptedEvent[]>> {
  const kafka = kafkaTestClient({ brokers, clientId: 'chaos-books' });
  const topic = TOPICS.balanceProofs.name;
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const remaining = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  for (const [partition, high] of remaining) if (high === 0n) remaining.delete(partition);
  const events = new Map<string, AcceptedEvent[]>();
  if (remaining.size === 0) return events;
  const consumer = kafka.consumer({ groupId: `chaos-books-${Date.now()}-${Math.random()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('reading the balance-proof topic took over 60 s')),
        60_000,
      );
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const decoded = message.value ? decodeEvent(message.value) : undefined;
          if (decoded?.ok && decoded.event.type === BALANCE_PROOF_ACCEPTED) {
            const { data, id } = decoded.event;
            const channelId = data.channelId.toLowerCase();
            if (wanted.has(channelId)) {
              const list = events.get(channelId) ?? [];
              const acceptedBy = `${data.gatewayId} at ${String(data.acceptedAt).slice(11, 23)}`;
              list.push({ id, previousBalance: data.previousBalance, balance: data.balance, acceptedBy });
              events.set(channelId, list);
            }
          }
          if (BigInt(message.offset) + 1n >= (remaining.get(partition) ?? 0n)) remaining.delete(partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return events;
}

/** The three books for `channelIds` (lower-case hex). */
export async function readBooks(databaseUrl: string, brokers: string, channelIds: string[]): Promise<Books> {
  const { gateway, ledger } = await readTables(databaseUrl, channelIds);
  const events = await readAcceptedEvents(brokers, new Set(channelIds));
  const books: Books = new Map();
  for (const channelId of channelIds) {
    const g = gateway.find((row) => row.channel_id === channelId);
    const l = ledger.find((row) => row.channel_id === channelId);
    books.set(channelId, {
      channelId,
      gateway: g && { acceptedBalance: BigInt(g.accepted_balance), paidRequests: Number(g.paid_requests) },
      ledger: l && { balance: BigInt(l.balance), proofCount: l.proof_count, revenue: BigInt(l.revenue ?? 0) },
      events: events.get(channelId) ?? [],
    });
  }
  return books;
}

/**
 * Waits (up to `timeoutMs`) until the ledger holds every channel's accepted balance, i.e. the outbox relays
 * published and the ledger projected everything the gateways accepted. Reading earlier would report the
 * in-flight tail as lost; a tail that never arrives is reported as lost after the wait.
 */
export async function waitForQuiescence(
  databaseUrl: string,
  channelIds: string[],
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const caughtUp = await readTables(databaseUrl, channelIds)
      .then(({ gateway, ledger }) =>
        gateway.every(
          (g) => ledger.find((l) => l.channel_id === g.channel_id)?.balance === g.accepted_balance,
        ),
      )
      .catch(() => false);
    if (caughtUp) return true;
    await sleep(500);
  }
  return false;
}

/** The balance of the latest proof the chain-watcher holds for a channel (what it would dispute with). */
export async function watcherProofBalance(
  databaseUrl: string,
  channelId: string,
): Promise<bigint | undefined> {
  return withDatabase(databaseUrl, async (db) => {
    const { rows } = await db.query<{ balance: string }>(
      'SELECT balance::text AS balance FROM cw_balance_proofs WHERE channel_id = $1',
      [channelId],
    );
    return rows[0] ? BigInt(rows[0].balance) : undefined;
  });
}
