import type { KafkaClientOptions } from '@microraiden/kafka';
import { parseReceipt, privateKeyToAddress, type Hex32 } from '@microraiden/protocol';
import { createTestDatabase, uniqueTopic, type TestDatabase } from '@microraiden/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomChannelId } from './support/channel-events';
import { anvilKey, deployChain, writeRoutesFile, type ChainFixture } from './support/chain-fixture';
import {
  createTestTopics,
  paymentHeaders,
  startGateway,
  waitForChannel,
  type InProcessGateway,
} from './support/gateway-fixture';
import { json, startUpstream, type TestUpstream } from './support/upstream-server';
import { spawnWatcher, type WatcherProcess } from './support/watcher-process';

// A channel or top-up that is mined but not yet confirmed must get CHANNEL_INSUFFICIENT_CONFIRMATIONS (wait), never
// CHANNEL_NOT_FOUND or BALANCE_EXCEEDS_DEPOSIT (which tells the client to top up again: a double deposit), and the
// gateway must count confirmations as the real chain-watcher does: it publishes exactly when the gateway said.
const PRICE = 1000n;
const CONFIRMATIONS = 3;
const client: KafkaClientOptions = {
  brokers: inject('kafkaBrokers').split(','),
  clientId: 'pending-confirmations',
};
const receiverKey = anvilKey(1);
const receiver = privateKeyToAddress(receiverKey);
const SENDER_INDEX = 5;
const senderKey = anvilKey(SENDER_INDEX);
const sender = privateKeyToAddress(senderKey);

let gatewayDb: TestDatabase;
let watcherDb: TestDatabase;
let pool: Pool;
let chain: ChainFixture;
let upstream: TestUpstream;
let watcher: WatcherProcess;
let gateway: InProcessGateway;

beforeAll(async () => {
  [gatewayDb, watcherDb] = await Promise.all([
    createTestDatabase({ prefix: 'gateway_pending', serverUrl: inject('databaseUrl') }),
    createTestDatabase({ prefix: 'watcher_pending', serverUrl: inject('databaseUrl') }),
  ]);
  pool = new Pool({ connectionString: gatewayDb.url, max: 2 });
  chain = await deployChain(inject('rpcUrl'));
  const topics = await createTestTopics(client);
  upstream = await startUpstream((_req, res) => json(res, 200, { ok: true }));
  watcher = await spawnWatcher({
    DATABASE_URL: watcherDb.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    RPC_URL: inject('rpcUrl'),
    DEPLOYMENT_FILE: chain.deploymentFile,
    MICRORAIDEN_DEV: '1',
    RECEIVER_PRIVATE_KEY: receiverKey,
    CONFIRMATIONS: String(CONFIRMATIONS),
    CHANNELS_TOPIC: topics.CHANNELS_TOPIC,
    BALANCE_PROOFS_TOPIC: topics.BALANCE_PROOFS_TOPIC,
    KAFKA_GROUP_ID: uniqueTopic('pending-watcher'),
    TOPIC_PARTITIONS: '3',
    POLL_INTERVAL_MS: '100',
  });
  gateway = await startGateway({
    DATABASE_URL: gatewayDb.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    DEPLOYMENT_FILE: chain.deploymentFile,
    UPSTREAM_URL: upstream.url,
    ROUTES_FILE: writeRoutesFile([{ path: '/paid', price: PRICE.toString() }]),
    MICRORAIDEN_DEV: '1',
    RECEIVER_PRIVATE_KEY: receiverKey,
    RPC_URL: inject('rpcUrl'),
    CONFIRMATIONS: String(CONFIRMATIONS),
    ...topics,
  });
}, 240_000);

afterAll(async () => {
  await gateway?.close();
  await watcher?.stop();
  await upstream?.close();
  await pool?.end();
  await Promise.all([gatewayDb?.drop(), watcherDb?.drop()]);
  chain?.close();
});

async function pay(channelId: Hex32, balance: bigint, signerKey = senderKey) {
  const headers = paymentHeaders({
    senderKey: signerKey,
    sender,
    receiver,
    domain: chain.domain,
    channelId,
    balance,
  });
  const res = await fetch(`${gateway.url}/paid`, { headers });
  const body = (await res.json()) as { error?: { code: string; details: Record<string, unknown> } };
  const receipt = parseReceipt(res.headers);
  return {
    status: res.status,
    code: res.headers.get('rdn-error'),
    retryAfter: res.headers.get('retry-after'),
    details: body.error?.details,
    charged: receipt.ok ? receipt.value?.cost : undefined,
  };
}

/** Long enough for the watcher (polling every 100 ms) to publish and the gateway to apply what it would. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));

describe('a creation or top-up mined but not yet confirmed', () => {
  let channelId: Hex32;

  it('is CHANNEL_INSUFFICIENT_CONFIRMATIONS, counted down block by block until the watcher publishes it', async () => {
    const created = await chain.openChannel(SENDER_INDEX, receiver, 5n * PRICE);
    channelId = created.data.channelId;
    const head = await chain.provider.getBlockNumber();
    const confirmations = head - created.data.blockNumber;
    expect(confirmations).toBeLessThan(CONFIRMATIONS - 1);
    const first = await pay(channelId, PRICE);
    expect(first).toMatchObject({
      status: 402,
      code: 'CHANNEL_INSUFFICIENT_CONFIRMATIONS',
      retryAfter: '15',
    });
    expect(first.details).toEqual({
      reason: 'channel not confirmed yet',
      confirmations,
      required: CONFIRMATIONS,
      missing: CONFIRMATIONS - confirmations,
    });

    // One block short of what the gateway said: the watcher has not published, the gateway still says wait.
    await chain.mine(CONFIRMATIONS - confirmations - 1);
    await settle();
    const almost = await pay(channelId, PRICE);
    expect(almost).toMatchObject({ code: 'CHANNEL_INSUFFICIENT_CONFIRMATIONS', details: { missing: 1 } });

    // The block the gateway counted down to: the watcher publishes, and the same proof pays.
    await chain.mine(1);
    await waitForChannel(pool, channelId);
    expect(await pay(channelId, PRICE)).toMatchObject({ status: 200, charged: PRICE });
  });

  it('is CHANNEL_INSUFFICIENT_CONFIRMATIONS for a top-up, not BALANCE_EXCEEDS_DEPOSIT, until it is confirmed', async () => {
    await chain.topUp(SENDER_INDEX, channelId, 10n * PRICE);
    const waiting = await pay(channelId, 8n * PRICE);
    expect(waiting).toMatchObject({
      status: 402,
      code: 'CHANNEL_INSUFFICIENT_CONFIRMATIONS',
      details: { reason: 'top-up not confirmed yet', required: CONFIRMATIONS },
    });
    const missing = waiting.details!.missing as number;
    // Beyond even the unconfirmed deposit: topping up is the right advice.
    expect(await pay(channelId, 16n * PRICE)).toMatchObject({ code: 'BALANCE_EXCEEDS_DEPOSIT' });

    await chain.mine(missing - 1);
    await settle();
    expect(await pay(channelId, 8n * PRICE)).toMatchObject({ details: { missing: 1 } });
    await chain.mine(1);
    await waitForChannel(pool, channelId, (row) => row.deposit === (15n * PRICE).toString());
    expect(await pay(channelId, 8n * PRICE)).toMatchObject({ status: 200, charged: 7n * PRICE });
  });

  it('is still CHANNEL_NOT_FOUND for a channel the chain does not have, or a proof its sender did not sign', async () => {
    expect(await pay(randomChannelId(), PRICE)).toMatchObject({ status: 402, code: 'CHANNEL_NOT_FOUND' });
    const created = await chain.openChannel(SENDER_INDEX, receiver, 5n * PRICE);
    expect(await pay(created.data.channelId, PRICE, anvilKey(9))).toMatchObject({
      code: 'CHANNEL_NOT_FOUND',
    });
    expect(await pay(created.data.channelId, PRICE)).toMatchObject({
      code: 'CHANNEL_INSUFFICIENT_CONFIRMATIONS',
    });
  });
});
