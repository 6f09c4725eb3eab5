import type { MicroraidenEvent } from '@microraiden/events';
import type { KafkaClientOptions } from '@microraiden/kafka';
import { channelManagerAt, microTokenAt } from '@microraiden/contracts';
import {
  parseCloseResponse,
  privateKeyToAddress,
  recoverClosingProofSigner,
  type Hex32,
} from '@microraiden/protocol';
import { createTestDatabase, type TestDatabase } from '@microraiden/testing';
import { Wallet } from 'ethers';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { anvilKey, deployChain, writeRoutesFile, type ChainFixture } from './support/chain-fixture';
import { channelEvent, randomChannelId } from './support/channel-events';
import {
  createTestTopics,
  paymentHeaders,
  type TestTopics,
  publishChannelEvents,
  startGateway,
  waitForChannel,
  type InProcessGateway,
} from './support/gateway-fixture';
import { readEvents } from './support/read-events';
import { json, startUpstream, type TestUpstream } from './support/upstream-server';

const PRICE = 10n ** 15n;
const TOKEN = 'operator-token-for-tests-0123456789';
const client: KafkaClientOptions = {
  brokers: inject('kafkaBrokers').split(','),
  clientId: 'gateway-management',
};
const receiverKey = anvilKey(1);
const receiver = privateKeyToAddress(receiverKey);
const senderKey = anvilKey(5);
const sender = privateKeyToAddress(senderKey);

let db: TestDatabase;
let pool: Pool;
let chain: ChainFixture;
let upstream: TestUpstream;
let gateway: InProcessGateway;
let topics: TestTopics;
let channelId: Hex32;
const other = randomChannelId();

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'gateway_management', serverUrl: inject('databaseUrl') });
  pool = new Pool({ connectionString: db.url, max: 2 });
  chain = await deployChain(inject('rpcUrl'));
  topics = await createTestTopics(client);
  upstream = await startUpstream((_req, res) => json(res, 200, { ok: true }));
  gateway = await startGateway({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    DEPLOYMENT_FILE: chain.deploymentFile,
    UPSTREAM_URL: upstream.url,
    ROUTES_FILE: writeRoutesFile([{ path: '/paid', price: PRICE.toString() }]),
    MICRORAIDEN_DEV: '1',
    RECEIVER_PRIVATE_KEY: receiverKey,
    OPERATOR_TOKEN: TOKEN,
    ...topics,
  });
  const created = await chain.openChannel(5, receiver, 10n * PRICE);
  channelId = created.data.channelId;
  const otherSender = privateKeyToAddress(anvilKey(6));
  await publishChannelEvents(client, topics.CHANNELS_TOPIC, [
    created,
    channelEvent(chain.deployment, 'channel.created', {
      channelId: other,
      sender: otherSender,
      receiver,
      deposit: PRICE,
    }),
  ]);
  await waitForChannel(pool, channelId);
  await waitForChannel(pool, other);
  for (const balance of [PRICE, 2n * PRICE, 3n * PRICE]) {
    const res = await fetch(`${gateway.url}/paid`, { headers: pay(balance) });
    expect(res.status).toBe(200);
  }
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  await pool?.end();
  await db?.drop();
  chain?.close();
});

function pay(balance: bigint) {
  return paymentHeaders({ senderKey, sender, receiver, domain: chain.domain, channelId, balance });
}

async function api(path: string, init: RequestInit & { token?: string | null } = {}) {
  const headers = new Headers(init.headers);
  if (init.token !== null) headers.set('authorization', `Bearer ${init.token ?? TOKEN}`);
  const res = await fetch(`${gateway.url}/api/1${path}`, { ...init, headers });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON; the assertions check its shape
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

describe('management API', () => {
  it('answers 401 with the error body without or with a wrong operator token', async () => {
    for (const path of ['/channels', `/channels/${sender}`, `/channels/${sender}/${channelId}`, '/stats']) {
      const missing = await api(path, { token: null });
      expect(missing.status).toBe(401);
      expect(missing.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      expect((await api(path, { token: `${TOKEN}x` })).status).toBe(401);
    }
  });

  it('lists channels with balances, filtered and paged', async () => {
    const all = await api('/channels');
    expect(all.status).toBe(200);
    expect(all.body.channels).toHaveLength(2);
    const mine = await api(`/channels?sender=${sender.toLowerCase()}&state=open`);
    expect(mine.body.channels).toEqual([
      expect.objectContaining({
        channelId,
        sender,
        receiver,
        state: 'open',
        confirmed: true,
        deposit: (10n * PRICE).toString(),
        acceptedBalance: (3n * PRICE).toString(),
        chargedBalance: (3n * PRICE).toString(),
        paidRequests: '3',
      }),
    ]);
    const first = await api('/channels?limit=1');
    expect(first.body.channels).toHaveLength(1);
    expect(first.body.nextCursor).toBe(first.body.channels[0].channelId);
    const second = await api(`/channels?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.channels).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    expect(second.body.channels[0].channelId).not.toBe(first.body.channels[0].channelId);
    expect(
      (await api(`/channels/${sender}`)).body.channels.map((c: { channelId: string }) => c.channelId),
    ).toEqual([channelId]);
  });

  it('shows one channel and the stats', async () => {
    const detail = await api(`/channels/${sender}/${channelId}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ channelId, acceptedBalance: (3n * PRICE).toString() });
    expect(detail.body.lastSignature).toBe(pay(3n * PRICE)['RDN-Balance-Signature']);
    expect((await api(`/channels/${receiver}/${channelId}`)).status).toBe(404);
    const stats = await api('/stats');
    expect(stats.body).toEqual({
      channels: { open: 2, closing: 0, settled: 0 },
      paidRequests: '3',
      revenue: (3n * PRICE).toString(),
      fundsAtRisk: (3n * PRICE).toString(),
    });
  });

  it('answers bad parameters with 400 and the error body, never 500', async () => {
    for (const path of [
      '/channels?limit=0',
      '/channels?limit=abc',
      '/channels?state=gone',
      '/channels?sender=0x123',
      '/channels?unknown=1',
      `/channels/${sender}/0x1234`,
      '/channels/not-an-address',
    ]) {
      const res = await api(path);
      expect(res.status, path).toBe(400);
      expect(res.body, path).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    }
  });

  it('exposes the paywall metrics', async () => {
    const answered4xx = async () =>
      Number(
        /^microraiden_http_responses_total\{code="4xx",service="gateway"\} (\S+)$/m.exec(
          await (await fetch(`${gateway.url}/metrics`)).text(),
        )?.[1],
      );
    const before = await answered4xx();
    await fetch(`${gateway.url}/paid`); // one unpaid request: rejected with PAYMENT_REQUIRED
    // The proxy's own Fastify route is counted like Nest's routes.
    expect(await answered4xx()).toBe(before + 1);
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    const value = (pattern: string) => Number(new RegExp(`^${pattern} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(
      value(
        'microraiden_gateway_requests_total\\{outcome="paid",route="/paid",reason="",service="gateway"\\}',
      ),
    ).toBe(3);
    expect(
      value(
        'microraiden_gateway_requests_total\\{outcome="rejected",route="/paid",reason="PAYMENT_REQUIRED",service="gateway"\\}',
      ),
    ).toBe(1);
    expect(value('microraiden_gateway_revenue_base_units_total\\{route="/paid",service="gateway"\\}')).toBe(
      Number(3n * PRICE),
    );
    // Fleet-wide totals come from the ledger once: a per-replica copy would be multiplied by sum().
    expect(text).not.toContain('funds_at_risk');
    expect(
      value(
        'microraiden_gateway_paid_request_seconds_count\\{service="gateway",route="/paid",outcome="paid"\\}',
      ),
    ).toBe(3);
    expect(value('microraiden_gateway_verify_seconds_count\\{service="gateway"\\}')).toBeGreaterThanOrEqual(
      3,
    );
    expect(value('microraiden_gateway_accept_seconds_count\\{service="gateway"\\}')).toBe(3);
    expect(text).toMatch(/^microraiden_gateway_outbox_unpublished\{service="gateway"\} \d+$/m);
    expect(text).toMatch(/^microraiden_gateway_outbox_oldest_age_seconds\{service="gateway"\} [\d.]+$/m);
  });

  it('publishes the management API in OpenAPI', async () => {
    const doc = (await (await fetch(`${gateway.url}/docs/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/1/channels',
        '/api/1/channels/{sender}',
        '/api/1/channels/{sender}/{channelId}',
        '/api/1/stats',
      ]),
    );
  });

  it('signs a cooperative close that the contract accepts, and refuses payments afterwards', async () => {
    const balance = 3n * PRICE;
    const balanceSignature = pay(balance)['RDN-Balance-Signature']!;
    const res = await fetch(`${gateway.url}/api/1/channels/${sender}/${channelId}`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ balance: balance.toString(), balanceSignature }),
    });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    const close = parseCloseResponse(body);
    expect(close.ok).toBe(true);
    if (!close.ok) return;
    expect(close.value).toMatchObject({ channelId, sender, receiver, balance });
    const signer = recoverClosingProofSigner(
      chain.domain,
      { channelId, sender, balance },
      close.value.closingSignature,
    );
    expect(signer.ok && signer.value).toBe(receiver);

    // No payment is accepted once the closing signature is out.
    const after = await fetch(`${gateway.url}/paid`, { headers: pay(4n * PRICE) });
    expect(after.status).toBe(402);
    expect(after.headers.get('rdn-error')).toBe('CHANNEL_CLOSING');
    // Asking again for the same balance gives the same (deterministic) signature.
    const again = await fetch(
      `${gateway.url}/api/1/channels/${sender}/${channelId}?balance=${balance}&balanceSignature=${balanceSignature}`,
      {
        method: 'DELETE',
      },
    );
    expect(((await again.json()) as { closingSignature: string }).closingSignature).toBe(
      close.value.closingSignature,
    );

    // Each signature given is on the balance-proofs topic, after the channel's proofs; the re-signature keeps the id.
    const closeSigned = (events: readonly MicroraidenEvent[]) =>
      events.filter((e) => e.type === 'balance-proof.close-signed');
    const published = await readEvents(
      client,
      topics.BALANCE_PROOFS_TOPIC,
      (events) => closeSigned(events).length >= 2,
    );
    const signed = closeSigned(published);
    expect(signed).toHaveLength(2);
    expect(signed[1]!.id).toBe(signed[0]!.id);
    expect(signed[0]!.data).toMatchObject({
      channelId,
      sender,
      receiver,
      channelManager: chain.domain.verifyingContract,
      chainId: Number(chain.domain.chainId),
      balance,
      closingSignature: close.value.closingSignature,
      gatewayId: expect.any(String),
    });
    const ofChannel = published.filter((e) => e.data.channelId === channelId);
    expect(ofChannel.map((e) => e.type)).toEqual([
      'balance-proof.accepted',
      'balance-proof.accepted',
      'balance-proof.accepted',
      'balance-proof.close-signed',
      'balance-proof.close-signed',
    ]);

    // Anyone may submit it: the third party here is anvil account 7.
    const submitter = new Wallet(anvilKey(7), chain.provider);
    const token = microTokenAt(chain.deployment.token, chain.provider);
    const before = {
      receiver: await token.balanceOf(receiver),
      sender: await token.balanceOf(sender),
    };
    const manager = channelManagerAt(chain.deployment.channelManager, submitter);
    await (
      await manager.cooperativeClose(channelId, balance, balanceSignature, close.value.closingSignature)
    ).wait();
    expect(await token.balanceOf(receiver)).toBe(before.receiver + balance);
    expect(await token.balanceOf(sender)).toBe(before.sender + 10n * PRICE - balance);
    const onChain = await manager.getChannel(channelId);
    expect(onChain[0]).toBe('0x0000000000000000000000000000000000000000');
  });
});

describe('management API documentation', () => {
  it('documents every management operation under the gateway path, each with its 503 DATABASE_UNAVAILABLE', async () => {
    const res = await fetch(`${gateway.url}/docs/openapi.json`);
    const doc = (await res.json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
    };
    const operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/1/'))
      .flatMap(([path, item]) =>
        Object.entries(item).map(([method, op]) => [`${method} ${path}`, op] as const),
      );
    expect(operations.map(([name]) => name).sort()).toEqual([
      'delete /api/1/channels/{sender}/{channelId}',
      'get /api/1/channels',
      'get /api/1/channels/{sender}',
      'get /api/1/channels/{sender}/{channelId}',
      'get /api/1/stats',
    ]);
    for (const [name, op] of operations)
      expect(op.responses['503']?.description, name).toMatch(/DATABASE_UNAVAILABLE/);
  });
});
