import type { KafkaClientOptions } from '@microraiden/kafka';
import { shardOfChannel } from '@microraiden/paywall';
import { parseReceipt, privateKeyToAddress, type Hex32 } from '@microraiden/protocol';
import { createTestDatabase, uniqueTopic, waitFor, type TestDatabase } from '@microraiden/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { anvilKey, deployChain, writeRoutesFile, type ChainFixture } from './support/chain-fixture';
import { channelEvent, randomChannelId } from './support/channel-events';
import {
  createTestTopics,
  paymentHeaders,
  publishChannelEvents,
  waitForChannel,
  type TestTopics,
} from './support/gateway-fixture';
import { spawnGateway, type GatewayProcess } from './support/gateway-process';
import { readEvents } from './support/read-events';
import { spawnService, type ServiceProcess } from './support/service-process';
import { json, startUpstream, type TestUpstream } from './support/upstream-server';

// Two gateway replicas over two shard databases (DATABASE_URLS), every proof raced on both replicas at once: each
// channel lives in one shard, so each increment is still accepted exactly once; both shards' outboxes reach Kafka
// and the ledger, reading only Kafka, adds up to what the two shards accepted (docs/scaling.md).
const PRICE = 1000n;
const CHANNELS = 24;
const INCREMENTS = 4;
const COPIES_PER_REPLICA = 2;
const TOKEN = 'sharded-fleet-operator-token';
const client: KafkaClientOptions = { brokers: inject('kafkaBrokers').split(','), clientId: 'sharded-fleet' };
const receiverKey = anvilKey(1);
const receiver = privateKeyToAddress(receiverKey);
const senderKey = anvilKey(4);
const sender = privateKeyToAddress(senderKey);
const channelIds: Hex32[] = Array.from({ length: CHANNELS }, randomChannelId);

let shardDbs: TestDatabase[] = [];
let shards: Pool[] = [];
let ledgerDb: TestDatabase;
let ledgerPool: Pool;
let chain: ChainFixture;
let upstream: TestUpstream;
let topics: TestTopics;
let replicas: GatewayProcess[] = [];
let env: Record<string, string>;
let ledger: ServiceProcess | undefined;

beforeAll(async () => {
  shardDbs = await Promise.all(
    [0, 1].map((i) => createTestDatabase({ prefix: `gateway_shard${i}`, serverUrl: inject('databaseUrl') })),
  );
  shards = shardDbs.map((db) => new Pool({ connectionString: db.url, max: 2 }));
  ledgerDb = await createTestDatabase({ prefix: 'gateway_shard_ledger', serverUrl: inject('databaseUrl') });
  ledgerPool = new Pool({ connectionString: ledgerDb.url, max: 2 });
  chain = await deployChain(inject('rpcUrl'));
  topics = await createTestTopics(client);
  upstream = await startUpstream((_req, res) => json(res, 200, { ok: true }));
  await publishChannelEvents(
    client,
    topics.CHANNELS_TOPIC,
    channelIds.map((channelId) =>
      channelEvent(chain.deployment, 'channel.created', {
        channelId,
        sender,
        receiver,
        deposit: 100n * PRICE,
      }),
    ),
  );
  env = {
    DATABASE_URLS: shardDbs.map((db) => db.url).join(','),
    KAFKA_BROKERS: inject('kafkaBrokers'),
    DEPLOYMENT_FILE: chain.deploymentFile,
    UPSTREAM_URL: upstream.url,
    ROUTES_FILE: writeRoutesFile([{ prefix: '/api/', price: PRICE.toString() }]),
    MICRORAIDEN_DEV: '1',
    RECEIVER_PRIVATE_KEY: receiverKey,
    OPERATOR_TOKEN: TOKEN,
    DB_POOL_SIZE: '4',
    ...topics,
  };
  replicas = await Promise.all([
    spawnGateway({ ...env, GATEWAY_ID: 'shard-replica-a' }),
    spawnGateway({ ...env, GATEWAY_ID: 'shard-replica-b' }),
  ]);
  for (const channelId of channelIds) await waitForChannel(shards[shardOfChannel(channelId, 2)]!, channelId);
}, 240_000);

afterAll(async () => {
  await Promise.all([...replicas.map((r) => r.stop()), ledger?.stop()]);
  await upstream?.close();
  await Promise.all([...shards, ledgerPool].map((pool) => pool?.end()));
  await Promise.all([...shardDbs, ledgerDb].map((db) => db?.drop()));
  chain?.close();
});

async function pay(replica: GatewayProcess, channelId: Hex32, balance: bigint) {
  const headers = paymentHeaders({ senderKey, sender, receiver, domain: chain.domain, channelId, balance });
  const res = await fetch(`${replica.url}/api/data`, { headers });
  await res.arrayBuffer();
  const receipt = parseReceipt(res.headers);
  return { status: res.status, cost: receipt.ok ? (receipt.value?.cost ?? 0n) : 0n };
}

async function shardRows(pool: Pool) {
  const { rows } = await pool.query<{ channel_id: string; accepted_balance: string; paid_requests: string }>(
    'SELECT channel_id, accepted_balance::text, paid_requests::text FROM gateway_channels',
  );
  return rows;
}

async function operatorGet<T>(replica: GatewayProcess, path: string): Promise<T> {
  const res = await fetch(`${replica.url}/api/1${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

describe('two gateway replicas over two shard databases', () => {
  it('keep every channel in exactly the shard its id names, and both shards hold channels', async () => {
    const [rows0, rows1] = await Promise.all(shards.map(shardRows));
    const held = [new Set(rows0!.map((r) => r.channel_id)), new Set(rows1!.map((r) => r.channel_id))];
    for (const channelId of channelIds) {
      const shard = shardOfChannel(channelId, 2);
      expect(held[shard]!.has(channelId)).toBe(true);
      expect(held[1 - shard]!.has(channelId)).toBe(false);
    }
    expect(held[0]!.size).toBeGreaterThanOrEqual(3);
    expect(held[1]!.size).toBeGreaterThanOrEqual(3);
  });

  it('accept each increment exactly once while the same proof races on both replicas', async () => {
    for (let i = 1n; i <= BigInt(INCREMENTS); i++) {
      const answers = await Promise.all(
        channelIds.map((channelId) =>
          Promise.all(
            replicas.flatMap((replica) =>
              Array.from({ length: COPIES_PER_REPLICA }, () => pay(replica, channelId, i * PRICE)),
            ),
          ),
        ),
      );
      for (const perChannel of answers) {
        const charged = perChannel.filter((a) => a.status === 200 && a.cost > 0n);
        expect(charged).toEqual([{ status: 200, cost: PRICE }]);
      }
    }
    const rows = (await Promise.all(shards.map(shardRows))).flat();
    expect(rows).toHaveLength(CHANNELS);
    for (const row of rows) {
      expect(row.accepted_balance).toBe((BigInt(INCREMENTS) * PRICE).toString());
      expect(row.paid_requests).toBe(String(INCREMENTS));
    }
  });

  it("relay both shards' outboxes to Kafka: one event per accepted increment", async () => {
    for (const [index, pool] of shards.entries()) {
      await waitFor(
        `shard ${index}'s outbox relayed`,
        async () => {
          const { rows } = await pool.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
          );
          return rows[0]!.n === 0;
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
      const mine = channelIds.filter((id) => shardOfChannel(id, 2) === index).length;
      expect(rows[0]!.n).toBe(mine * INCREMENTS);
    }
    const total = CHANNELS * INCREMENTS;
    const events = await readEvents(client, topics.BALANCE_PROOFS_TOPIC, (seen) => seen.length >= total);
    const accepted = events.filter((e) => e.type === 'balance-proof.accepted');
    expect(new Set(accepted.map((e) => e.id)).size).toBe(total);
    expect(new Set(accepted.map((e) => (e.data as { channelId: string }).channelId)).size).toBe(CHANNELS);
  });

  it('merge both shards in the management API: stats and every page of channels', async () => {
    const stats = await operatorGet<{ revenue: string; paidRequests: string; channels: { open: number } }>(
      replicas[0]!,
      '/stats',
    );
    expect(stats).toMatchObject({
      revenue: (BigInt(CHANNELS * INCREMENTS) * PRICE).toString(),
      paidRequests: String(CHANNELS * INCREMENTS),
      channels: { open: CHANNELS },
    });
    const listed: string[] = [];
    let cursor = '';
    for (let page = 0; page < CHANNELS; page++) {
      const body = await operatorGet<{ channels: { channelId: string }[]; nextCursor: string | null }>(
        replicas[1]!,
        `/channels?limit=5${cursor ? `&cursor=${cursor}` : ''}`,
      );
      listed.push(...body.channels.map((c) => c.channelId));
      if (body.nextCursor === null) break;
      cursor = body.nextCursor;
    }
    expect(listed).toEqual([...channelIds].sort());
  });

  it("project, in a ledger reading only Kafka, exactly the sum of both shards' accepted balances", async () => {
    ledger = await spawnService('ledger', {
      DATABASE_URL: ledgerDb.url,
      KAFKA_BROKERS: inject('kafkaBrokers'),
      BALANCE_PROOFS_TOPIC: topics.BALANCE_PROOFS_TOPIC,
      CHANNELS_TOPIC: topics.CHANNELS_TOPIC,
      DEAD_LETTER_TOPIC: topics.DEAD_LETTER_TOPIC,
      KAFKA_GROUP_ID: uniqueTopic('sharded-ledger'),
      OPERATOR_TOKEN: TOKEN,
    });
    const shardTotal = (await Promise.all(shards.map(shardRows)))
      .flat()
      .reduce((sum, row) => sum + BigInt(row.accepted_balance), 0n);
    expect(shardTotal).toBe(BigInt(CHANNELS * INCREMENTS) * PRICE);
    let ledgerTotal = { balance: '', proofs: 0 };
    await waitFor(
      'the ledger to project every accepted proof',
      async () => {
        const { rows } = await ledgerPool
          .query<{ balance: string; proofs: number }>(
            `SELECT coalesce(sum(balance), 0)::text AS balance, coalesce(sum(proof_count), 0)::int AS proofs
             FROM ledger_channels`,
          )
          .catch(() => ({ rows: [{ balance: '', proofs: 0 }] }));
        ledgerTotal = rows[0]!;
        return ledgerTotal.proofs >= CHANNELS * INCREMENTS;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(ledgerTotal).toEqual({ balance: shardTotal.toString(), proofs: CHANNELS * INCREMENTS });
  });

  it('refuse a replica whose shard list is in another order (it would accept channels in the wrong database)', async () => {
    const reversed = shardDbs
      .map((db) => db.url)
      .reverse()
      .join(',');
    const started = spawnGateway({ ...env, DATABASE_URLS: reversed, GATEWAY_ID: 'shard-replica-reversed' });
    await expect(started).rejects.toThrow(
      /ShardMismatchError: .*the database is shard 1 of 2, configured as shard 0 of 2/,
    );
  });
});
