import type { BalanceProofAcceptedV1, MicroraidenEvent } from '@microraiden/events';
import type { KafkaClientOptions } from '@microraiden/kafka';
import { parseReceipt, privateKeyToAddress, type Address, type Hex32 } from '@microraiden/protocol';
import { createTestDatabase, waitFor, type TestDatabase } from '@microraiden/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { channelEvent, randomChannelId } from './support/channel-events';
import { anvilKey, deployChain, writeRoutesFile, type ChainFixture } from './support/chain-fixture';
import {
  createTestTopics,
  paymentHeaders,
  publishChannelEvents,
  waitForChannel,
} from './support/gateway-fixture';
import { spawnGateway, type GatewayProcess } from './support/gateway-process';
import { readEvents } from './support/read-events';
import { json, startUpstream, type TestUpstream } from './support/upstream-server';

// Two gateway processes on one database: acceptance must be exactly once across them, also when one dies.
const PRICE = 1000n;
const client: KafkaClientOptions = { brokers: inject('kafkaBrokers').split(','), clientId: 'gateway-fleet' };
const receiverKey = anvilKey(1);
const receiver = privateKeyToAddress(receiverKey);

interface TestChannel {
  readonly channelId: Hex32;
  readonly senderKey: string;
  readonly sender: Address;
}

let db: TestDatabase;
let pool: Pool;
let chain: ChainFixture;
let upstream: TestUpstream;
let env: Record<string, string>;
let balanceProofsTopic: string;
const gateways: GatewayProcess[] = [];

function channels(count: number, firstKey: number): TestChannel[] {
  return Array.from({ length: count }, (_, i) => {
    const senderKey = anvilKey(firstKey + i);
    return { channelId: randomChannelId(), senderKey, sender: privateKeyToAddress(senderKey) };
  });
}

const raced = channels(4, 4);
const crashed = channels(3, 10);

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'gateway_fleet', serverUrl: inject('databaseUrl') });
  pool = new Pool({ connectionString: db.url, max: 2 });
  chain = await deployChain(inject('rpcUrl'));
  const topics = await createTestTopics(client);
  balanceProofsTopic = topics.BALANCE_PROOFS_TOPIC;
  // A little upstream latency widens the window in which racing proofs overlap.
  upstream = await startUpstream((_req, res) => setTimeout(() => json(res, 200, { ok: true }), 2));
  env = {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    DEPLOYMENT_FILE: chain.deploymentFile,
    UPSTREAM_URL: upstream.url,
    ROUTES_FILE: writeRoutesFile([{ prefix: '/api/', price: PRICE.toString() }]),
    MICRORAIDEN_DEV: '1',
    RECEIVER_PRIVATE_KEY: receiverKey,
    DB_POOL_SIZE: '8',
    ...topics,
  };
  await publishChannelEvents(
    client,
    topics.CHANNELS_TOPIC,
    [...raced, ...crashed].map((c) =>
      channelEvent(chain.deployment, 'channel.created', {
        channelId: c.channelId,
        sender: c.sender,
        receiver,
        deposit: 1_000_000n * PRICE,
      }),
    ),
  );
  const started = await Promise.allSettled([
    spawnGateway({ ...env, GATEWAY_ID: 'replica-a' }),
    spawnGateway({ ...env, GATEWAY_ID: 'replica-b' }),
  ]);
  for (const result of started) if (result.status === 'fulfilled') gateways.push(result.value);
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  for (const c of [...raced, ...crashed]) await waitForChannel(pool, c.channelId);
}, 240_000);

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await upstream?.close();
  await pool?.end();
  await db?.drop();
  chain?.close();
});

function pay(channel: TestChannel, balance: bigint): Record<string, string> {
  return paymentHeaders({ ...channel, receiver, domain: chain.domain, balance });
}

/** Runs `tasks` with at most `limit` in flight. */
async function pooled<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}

async function acceptedIn(channelId: Hex32): Promise<{ balance: bigint; paidRequests: number }> {
  const { rows } = await pool.query(
    'SELECT accepted_balance::text AS b, paid_requests::int AS n FROM gateway_channels WHERE channel_id = $1',
    [channelId],
  );
  return { balance: BigInt(rows[0].b), paidRequests: rows[0].n };
}

async function allPublished(): Promise<void> {
  await waitFor(
    'the outbox to drain',
    async () =>
      (await pool.query('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')).rows[0].n === 0,
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

/** Accepted events per channel, deduplicated by id (the relay publishes at least once). */
function byChannel(events: readonly MicroraidenEvent[]): Map<string, BalanceProofAcceptedV1[]> {
  const unique = new Map<string, BalanceProofAcceptedV1>();
  for (const e of events) if (e.type === 'balance-proof.accepted') unique.set(e.id, e);
  const grouped = new Map<string, BalanceProofAcceptedV1[]>();
  for (const e of unique.values()) {
    const list = grouped.get(e.data.channelId) ?? [];
    list.push(e);
    grouped.set(e.data.channelId, list);
  }
  for (const list of grouped.values()) list.sort((x, y) => (x.data.balance < y.data.balance ? -1 : 1));
  return grouped;
}

/** The accepted events of a channel form one chain 0 -> b1 -> b2 ... with no balance twice. */
function expectChain(events: readonly BalanceProofAcceptedV1[], finalBalance: bigint): void {
  let previous = 0n;
  for (const e of events) {
    expect(e.data.previousBalance).toBe(previous);
    expect(e.data.increment).toBe(e.data.balance - previous);
    expect(e.data.increment >= PRICE).toBe(true);
    previous = e.data.balance;
  }
  expect(previous).toBe(finalBalance);
}

describe('a fleet of two gateway processes', () => {
  it('accepts every increment exactly once under 1,000 racing duplicate and competing proofs', async () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    // Balances climb in steps so that at every step copies of the same proof (duplicates) and neighbouring
    // balances (competing proofs) are in flight together, at both replicas.
    const requests = Array.from({ length: 1000 }, (_, i) => {
      const channel = raced[i % raced.length]!;
      const step = Math.floor(i / (raced.length * 4)) + 1 + random(3);
      const gateway = gateways[random(2)]!;
      return { channel, balance: BigInt(step) * PRICE, gateway };
    });
    const outcomes = await pooled(
      requests.map(({ channel, balance, gateway }) => async () => {
        const res = await fetch(`${gateway.url}/api/data`, { headers: pay(channel, balance) });
        await res.arrayBuffer();
        return {
          channel,
          balance,
          status: res.status,
          receipt: parseReceipt(res.headers),
          code: res.headers.get('rdn-error'),
        };
      }),
      64,
    );
    const tally: Record<string, number> = {};
    for (const o of outcomes)
      tally[`${o.status} ${o.code ?? ''}`.trim()] = (tally[`${o.status} ${o.code ?? ''}`.trim()] ?? 0) + 1;
    console.log(`race test: ${JSON.stringify(tally)}`);
    const statuses = new Set(Object.keys(tally));
    for (const status of statuses)
      expect(['200', '409 BALANCE_STALE', '402 INCREMENT_BELOW_PRICE']).toContain(status);

    await allPublished();
    const paid = outcomes.filter((o) => o.status === 200);
    expect(paid.length).toBeGreaterThan(raced.length);
    const events = await readEvents(
      client,
      balanceProofsTopic,
      (all) => new Set(all.map((e) => e.id)).size >= paid.length,
      60_000,
    );
    const kafka = byChannel(events);

    let distinctIncrements = 0n;
    let kafkaTotal = 0n;
    let dbTotal = 0n;
    for (const channel of raced) {
      const mine = paid.filter((o) => o.channel === channel);
      const balances = mine.map((o) => o.balance);
      // No balance was accepted twice: every 200 names a different balance.
      expect(new Set(balances).size).toBe(balances.length);
      const costs = mine.map((o) => (o.receipt.ok && o.receipt.value ? o.receipt.value.cost : -1n));
      const charged = costs.reduce((a, b) => a + b, 0n);
      const top = balances.reduce((a, b) => (a > b ? a : b), 0n);
      const db = await acceptedIn(channel.channelId);
      expect(db.balance).toBe(top);
      expect(charged).toBe(top);
      expect(db.paidRequests).toBe(mine.length);
      const chainEvents = kafka.get(channel.channelId) ?? [];
      expect(chainEvents.map((e) => e.data.balance)).toEqual([...balances].sort((a, b) => (a < b ? -1 : 1)));
      expectChain(chainEvents, db.balance);
      distinctIncrements += charged;
      kafkaTotal += chainEvents.reduce((sum, e) => sum + e.data.increment, 0n);
      dbTotal += db.balance;
    }
    expect(kafkaTotal).toBe(distinctIncrements);
    expect(dbTotal).toBe(distinctIncrements);
    // Both replicas accepted some of them.
    const replicas = new Set([...kafka.values()].flat().map((e) => e.data.gatewayId));
    expect([...replicas].sort()).toEqual(['replica-a', 'replica-b']);
  });

  it('loses no accepted proof when a replica is killed with SIGKILL mid-load', async () => {
    const paid: Array<{ channelId: Hex32; balance: bigint }> = [];
    let transportErrors = 0;
    let killed = false;
    let restarted: Promise<void> | undefined;
    const deadline = Date.now() + 60_000;
    let sent = 0;

    // Each client pays serially (as the protocol asks), alternating replicas, re-syncing on 409.
    const runClient = async (channel: TestChannel, index: number) => {
      let last = 0n;
      let attempt = 0;
      for (let n = 0; n < 120 && Date.now() < deadline;) {
        const balance = last + PRICE;
        attempt += 1;
        const gateway = gateways[(attempt + index) % 2]!;
        sent += 1;
        if (!killed && sent >= 120) {
          killed = true;
          const victim = gateways[0]!;
          restarted = victim.kill9().then(async () => {
            gateways[0] = await spawnGateway({ ...env, GATEWAY_ID: 'replica-a2', PORT: String(victim.port) });
          });
        }
        let res: Response;
        try {
          res = await fetch(`${gateway.url}/api/data`, { headers: pay(channel, balance) });
          await res.arrayBuffer();
        } catch {
          transportErrors += 1;
          await new Promise((r) => setTimeout(r, 20));
          continue; // outcome unknown: the next attempt re-syncs through BALANCE_STALE if it was accepted
        }
        const receipt = parseReceipt(res.headers);
        if (res.status === 200 && receipt.ok && receipt.value) {
          paid.push({ channelId: channel.channelId, balance: receipt.value.senderBalance });
          last = receipt.value.senderBalance;
          n += 1;
        } else if (res.status === 409 && receipt.ok && receipt.value) {
          last = receipt.value.senderBalance;
        } else if (res.status === 503 || res.status === 502) {
          await new Promise((r) => setTimeout(r, 20));
        } else {
          throw new Error(`unexpected answer ${res.status} ${res.headers.get('rdn-error')}`);
        }
      }
    };
    await Promise.all(crashed.map((channel, i) => runClient(channel, i)));
    expect(killed).toBe(true);
    await restarted;

    await allPublished();
    const events = await readEvents(
      client,
      balanceProofsTopic,
      (all) => {
        const keys = new Set(
          all.map((e) =>
            e.type === 'balance-proof.accepted' ? `${e.data.channelId}:${e.data.balance}` : '',
          ),
        );
        return paid.every((p) => keys.has(`${p.channelId}:${p.balance}`));
      },
      60_000,
    );
    const kafka = byChannel(events);
    for (const channel of crashed) {
      const db = await acceptedIn(channel.channelId);
      const accepted = kafka.get(channel.channelId) ?? [];
      // Every 200 a client received is in Kafka, and Kafka holds exactly what the database accepted.
      const inKafka = new Set(accepted.map((e) => e.data.balance));
      for (const p of paid.filter((p) => p.channelId === channel.channelId))
        expect(inKafka.has(p.balance)).toBe(true);
      expectChain(accepted, db.balance);
      expect(accepted.length).toBe(db.paidRequests);
    }
    expect(paid.length).toBeGreaterThan(100);
    console.log(`crash test: ${paid.length} paid, ${transportErrors} transport errors around the kill`);
  });
});
