import type { KafkaClientOptions } from '@microraiden/kafka';
import { parseReceipt, privateKeyToAddress } from '@microraiden/protocol';
import { createTestDatabase, uniqueTopic, waitFor, type TestDatabase } from '@microraiden/testing';
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
import { json, startUpstream, type TestUpstream } from './support/upstream-server';
import { spawnWatcher, type WatcherProcess } from './support/watcher-process';

// A real gateway process guarded by a real chain-watcher process: docs/protocol.md 8.2 (µRaiden #238, #247).
const PRICE = 1000n;
const GRACE_S = 3;
const client: KafkaClientOptions = {
  brokers: inject('kafkaBrokers').split(','),
  clientId: 'gateway-chain-guard',
};
const receiverKey = anvilKey(1);
const receiver = privateKeyToAddress(receiverKey);
const senderKey = anvilKey(4);
const sender = privateKeyToAddress(senderKey);
const channelId = randomChannelId();

let gatewayDb: TestDatabase;
let watcherDb: TestDatabase;
let pool: Pool;
let chain: ChainFixture;
let upstream: TestUpstream;
let watcherEnv: Record<string, string>;
let watcher: WatcherProcess | undefined;
let gateway: GatewayProcess | undefined;
let balance = 0n;

beforeAll(async () => {
  [gatewayDb, watcherDb] = await Promise.all([
    createTestDatabase({ prefix: 'gateway_chain_guard', serverUrl: inject('databaseUrl') }),
    createTestDatabase({ prefix: 'watcher_chain_guard', serverUrl: inject('databaseUrl') }),
  ]);
  pool = new Pool({ connectionString: gatewayDb.url, max: 2 });
  chain = await deployChain(inject('rpcUrl'));
  const topics = await createTestTopics(client);
  upstream = await startUpstream((_req, res) => json(res, 200, { ok: true }));
  watcherEnv = {
    DATABASE_URL: watcherDb.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    RPC_URL: inject('rpcUrl'),
    DEPLOYMENT_FILE: chain.deploymentFile,
    MICRORAIDEN_DEV: '1',
    RECEIVER_PRIVATE_KEY: receiverKey,
    CHANNELS_TOPIC: uniqueTopic('guard-watcher.channels'),
    BALANCE_PROOFS_TOPIC: uniqueTopic('guard-watcher.proofs'),
    KAFKA_GROUP_ID: uniqueTopic('guard-watcher'),
    TOPIC_PARTITIONS: '3',
    POLL_INTERVAL_MS: '200',
  };
  watcher = await spawnWatcher(watcherEnv);
  await publishChannelEvents(client, topics.CHANNELS_TOPIC, [
    channelEvent(chain.deployment, 'channel.created', { channelId, sender, receiver, deposit: 100n * PRICE }),
  ]);
  gateway = await spawnGateway({
    DATABASE_URL: gatewayDb.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    DEPLOYMENT_FILE: chain.deploymentFile,
    UPSTREAM_URL: upstream.url,
    ROUTES_FILE: writeRoutesFile([
      { path: '/paid', price: PRICE.toString() },
      { prefix: '/public/', free: true },
    ]),
    MICRORAIDEN_DEV: '1',
    RECEIVER_PRIVATE_KEY: receiverKey,
    GATEWAY_ID: 'guarded-1',
    CHAIN_WATCHER_URL: watcher.url,
    CHAIN_WATCHER_GRACE_S: String(GRACE_S),
    CHAIN_WATCHER_POLL_MS: '200',
    ...topics,
  });
  await waitForChannel(pool, channelId);
}, 240_000);

afterAll(async () => {
  await gateway?.stop();
  await watcher?.stop();
  await upstream?.close();
  await pool?.end();
  await Promise.all([gatewayDb?.drop(), watcherDb?.drop()]);
  chain?.close();
});

/** A paid GET /paid with the next balance; the balance moves only when the gateway charged. */
async function payNext(): Promise<Response> {
  const headers = paymentHeaders({
    senderKey,
    sender,
    receiver,
    domain: chain.domain,
    channelId,
    balance: balance + PRICE,
  });
  const res = await fetch(`${gateway!.url}/paid`, { headers });
  await res.clone().arrayBuffer();
  const receipt = parseReceipt(res.headers);
  if (res.status === 200 && receipt.ok && receipt.value) balance = receipt.value.senderBalance;
  return res;
}

async function guardGauge(): Promise<number | undefined> {
  const text = await (await fetch(`${gateway!.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('microraiden_gateway_chain_guard_closed'));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function guardHealth(): Promise<{ status: number; guard: Record<string, unknown> | undefined }> {
  const res = await fetch(`${gateway!.url}/health/ready`);
  const body = (await res.json()) as { info?: Record<string, Record<string, unknown>> };
  return { status: res.status, guard: body.info?.['chain-watcher'] };
}

describe('gateway chain guard (real chain-watcher process)', () => {
  it('accepts payments while the watcher is ready, and shows the guard in readiness and metrics', async () => {
    const res = await payNext();
    expect(res.status, await res.clone().text()).toBe(200);
    expect(balance).toBe(PRICE);
    expect(await guardHealth()).toEqual({
      status: 200,
      guard: { status: 'up', payments: 'accepted', watcherReady: true, notReadyForSeconds: 0 },
    });
    expect(await guardGauge()).toBe(0);
  });

  it('keeps accepting through the grace period after the watcher died, then refuses every paid request with 503', async () => {
    // Taken before the kill: the gateway may see the watcher gone before this process sees it exit.
    const killedAt = performance.now();
    await watcher!.kill9();
    // Well within the grace: a blip must not refuse payments.
    const blip = await payNext();
    expect(blip.status).toBe(200);
    expect(balance).toBe(2n * PRICE);

    let refused: Response | undefined;
    await waitFor(
      'a paid request refused with 503',
      async () => {
        const res = await payNext();
        if (res.status === 503) refused = res;
        else expect(res.status).toBe(200);
        return refused !== undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(performance.now() - killedAt).toBeGreaterThanOrEqual(GRACE_S * 1000);
    expect(refused!.headers.get('rdn-error')).toBe('GATEWAY_UNAVAILABLE');
    expect(refused!.headers.get('retry-after')).toBe('5');
    const body = (await refused!.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('GATEWAY_UNAVAILABLE');
    // Why it is not ready goes to the gateway's log: a public answer names no internal address.
    expect(body.error.message).toMatch(/the chain-watcher has not been ready for \d+ s\.$/);
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|[a-z0-9\]]:\d+/i);

    // Without payment headers too: no 402 challenge inviting a channel the gateway could not defend.
    const unpaid = await fetch(`${gateway!.url}/paid`);
    expect(unpaid.status).toBe(503);
    expect(unpaid.headers.get('rdn-error')).toBe('GATEWAY_UNAVAILABLE');
    expect(unpaid.headers.get('rdn-price')).toBeNull();
    expect(unpaid.headers.get('retry-after')).toBe('5');

    const free = await fetch(`${gateway!.url}/public/status`);
    expect(free.status).toBe(200);
    const health = await guardHealth();
    expect(health.status).toBe(200);
    expect(health.guard).toMatchObject({ status: 'up', payments: 'refused', watcherReady: false });
    expect(JSON.stringify(health)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    expect(await guardGauge()).toBe(1);
  });

  it('accepts payments again as soon as the watcher is back', async () => {
    const before = balance;
    watcher = await spawnWatcher({ ...watcherEnv, PORT: String(watcher!.port) });
    await waitFor('a paid request accepted again', async () => (await payNext()).status === 200, {
      timeoutMs: 5_000,
      intervalMs: 100,
    });
    expect(balance).toBe(before + PRICE);
    expect((await guardHealth()).guard).toMatchObject({ payments: 'accepted', watcherReady: true });
    expect(await guardGauge()).toBe(0);
  });
});
