import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { BalanceProofAcceptedV1, MicroraidenEvent } from '@microraiden/events';
import type { KafkaClientOptions } from '@microraiden/kafka';
import {
  parseChallenge,
  parseReceipt,
  parseX402PaymentRequired,
  privateKeyToAddress,
} from '@microraiden/protocol';
import { createTestDatabase, type TestDatabase } from '@microraiden/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { anvilKey, deployChain, writeRoutesFile, type ChainFixture } from './support/chain-fixture';
import {
  createTestTopics,
  paymentHeaders,
  publishChannelEvents,
  startGateway,
  waitForChannel,
  type InProcessGateway,
  type TestTopics,
} from './support/gateway-fixture';
import { readEvents } from './support/read-events';
import { json, startUpstream, type TestUpstream } from './support/upstream-server';

const PRICE = 1_000_000_000_000_000n;
const client: KafkaClientOptions = {
  brokers: inject('kafkaBrokers').split(','),
  clientId: 'gateway-paid-flow',
};
const receiverKey = anvilKey(1);
const receiver = privateKeyToAddress(receiverKey);
const senderKey = anvilKey(2);
const sender = privateKeyToAddress(senderKey);

let db: TestDatabase;
let pool: Pool;
let chain: ChainFixture;
let topics: TestTopics;
let upstream: TestUpstream;
let gateway: InProcessGateway;
let flakyFailures = 0;

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'gateway_flow', serverUrl: inject('databaseUrl') });
  pool = new Pool({ connectionString: db.url, max: 2 });
  chain = await deployChain(inject('rpcUrl'));
  topics = await createTestTopics(client);
  upstream = await startUpstream((req, res) => {
    if (req.url?.startsWith('/api/flaky') && flakyFailures > 0) {
      flakyFailures -= 1;
      return json(res, 503, { error: 'upstream overloaded' });
    }
    if (req.url === '/') return json(res, 404, {});
    json(res, 200, { city: 'Berlin', tempC: 21, path: req.url });
  });
  gateway = await startGateway({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    DEPLOYMENT_FILE: chain.deploymentFile,
    UPSTREAM_URL: upstream.url,
    ROUTES_FILE: writeRoutesFile([
      { path: '/api/weather', price: PRICE.toString() },
      { path: '/api/flaky', price: PRICE.toString() },
      { prefix: '/public/', free: true },
    ]),
    MICRORAIDEN_DEV: '1',
    RECEIVER_PRIVATE_KEY: receiverKey,
    GATEWAY_ID: 'gateway-flow-1',
    ...topics,
  });
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  await pool?.end();
  await db?.drop();
  chain?.close();
});

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${gateway.url}${path}`, { headers });
  return { res, text: await res.text() };
}

/** GET with the header lines exactly as given, repeats included (fetch would join a repeat into one value). */
function rawGet(path: string, lines: Array<[string, string]>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    // With an array of lines Node adds no Host of its own.
    const headers = [['Host', new URL(gateway.url).host], ...lines].flat();
    const req = httpRequest(`${gateway.url}${path}`, { headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res));
    });
    req.on('error', reject);
    req.end();
  });
}

function pay(channelId: `0x${string}`, balance: bigint) {
  return paymentHeaders({ senderKey, sender, receiver, domain: chain.domain, channelId, balance });
}

describe('gateway paid flow', () => {
  let channelId: `0x${string}`;

  it('answers an unpaid request with 402 and the challenge, and serves free routes', async () => {
    const { res, text } = await get('/api/weather');
    expect(res.status).toBe(402);
    expect(res.headers.get('rdn-error')).toBe('PAYMENT_REQUIRED');
    const challenge = parseChallenge(res.headers);
    expect(challenge.ok && challenge.value).toEqual({
      gatewayPath: '/api/1',
      receiver,
      channelManager: chain.deployment.channelManager,
      token: chain.deployment.token,
      price: PRICE,
      chainId: 31337n,
    });
    const x402 = parseX402PaymentRequired(res.headers);
    expect(x402.ok && x402.value.challenge.price).toBe(PRICE);
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'PAYMENT_REQUIRED' } });

    const html = await get('/api/weather', { accept: 'text/html,application/xhtml+xml' });
    expect(html.res.status).toBe(402);
    expect(html.res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.text).toContain(PRICE.toString());

    const free = await get('/public/status');
    expect(free.res.status).toBe(200);
    expect(free.res.headers.get('rdn-cost')).toBeNull();
    expect((await get('/not/configured')).res.status).toBe(404);
    expect((await get('/public/a%2f..%2fapi/weather')).res.status).toBe(400);
  });

  it('accepts a proof on a confirmed channel, answers with a receipt and emits balance-proof.accepted', async () => {
    const created = await chain.openChannel(2, receiver, 10n * PRICE);
    channelId = created.data.channelId;
    await publishChannelEvents(client, topics.CHANNELS_TOPIC, [created]);
    await waitForChannel(pool, channelId);

    const { res, text } = await get('/api/weather?city=Berlin', pay(channelId, PRICE));
    expect(res.status, text).toBe(200);
    expect(JSON.parse(text)).toEqual({ city: 'Berlin', tempC: 21, path: '/api/weather?city=Berlin' });
    const receipt = parseReceipt(res.headers);
    expect(receipt.ok && receipt.value).toEqual({ channelId, senderBalance: PRICE, cost: PRICE });
    expect(res.headers.get('rdn-price')).toBe(PRICE.toString());
    // The upstream never sees the client's proof.
    const forwarded = upstream.seen.at(-1)!;
    expect(forwarded.headers['rdn-balance-signature']).toBeUndefined();
    expect(forwarded.headers['x-forwarded-for']).toBeDefined();

    const events = await readEvents(client, topics.BALANCE_PROOFS_TOPIC, (all) => all.length >= 1);
    const event = events[0] as BalanceProofAcceptedV1;
    expect(event.type).toBe('balance-proof.accepted');
    expect(event.source).toBe('gateway');
    expect(event.data).toMatchObject({
      channelId,
      sender,
      receiver,
      channelManager: chain.deployment.channelManager,
      chainId: 31337,
      balance: PRICE,
      previousBalance: 0n,
      increment: PRICE,
      price: PRICE,
      route: '/api/weather',
      method: 'GET',
      gatewayId: 'gateway-flow-1',
    });
    expect(event.data.signature).toBe(pay(channelId, PRICE)['RDN-Balance-Signature']);

    const { rows } = await pool.query(
      'SELECT accepted_balance::text AS b, last_signature, paid_requests::int AS n FROM gateway_channels WHERE channel_id = $1',
      [channelId],
    );
    expect(rows[0]).toEqual({ b: PRICE.toString(), last_signature: event.data.signature, n: 1 });
  });

  it('charges an overpayment in full and reports it as the cost', async () => {
    const { res } = await get('/api/weather', pay(channelId, 3n * PRICE));
    expect(res.status).toBe(200);
    const receipt = parseReceipt(res.headers);
    expect(receipt.ok && receipt.value).toEqual({ channelId, senderBalance: 3n * PRICE, cost: 2n * PRICE });
  });

  it('does not charge when the upstream fails, and the same proof succeeds afterwards', async () => {
    flakyFailures = 1;
    const proof = pay(channelId, 4n * PRICE);
    const failed = await get('/api/flaky', proof);
    expect(failed.res.status).toBe(503);
    expect(JSON.parse(failed.text)).toEqual({ error: 'upstream overloaded' });
    const notCharged = parseReceipt(failed.res.headers);
    expect(notCharged.ok && notCharged.value).toEqual({ channelId, senderBalance: 3n * PRICE, cost: 0n });
    const { rows } = await pool.query(
      'SELECT accepted_balance::text AS b FROM gateway_channels WHERE channel_id = $1',
      [channelId],
    );
    expect(rows[0].b).toBe((3n * PRICE).toString());
    const outbox = await pool.query('SELECT count(*)::int AS n FROM outbox');
    expect(outbox.rows[0].n).toBe(2);

    const retried = await get('/api/flaky', proof);
    expect(retried.res.status).toBe(200);
    const receipt = parseReceipt(retried.res.headers);
    expect(receipt.ok && receipt.value).toEqual({ channelId, senderBalance: 4n * PRICE, cost: PRICE });

    const events = await readEvents(client, topics.BALANCE_PROOFS_TOPIC, (all) => all.length >= 3);
    const balances = events.map((e: MicroraidenEvent) => (e as BalanceProofAcceptedV1).data.balance);
    expect(balances).toEqual([PRICE, 3n * PRICE, 4n * PRICE]);
  });

  it('counts a payment header repeated with the same value once, and refuses one repeated with another', async () => {
    const lines = Object.entries(pay(channelId, 5n * PRICE));
    const balance = lines.find(([name]) => name === 'RDN-Balance')!;
    const differing = await rawGet('/api/weather', [...lines, ['RDN-Balance', (6n * PRICE).toString()]]);
    expect([differing.statusCode, differing.headers['rdn-error']]).toEqual([400, 'PAYMENT_MALFORMED']);
    const repeated = await rawGet('/api/weather', [...lines, balance, ['rdn-balance', ` ${balance[1]}`]]);
    expect(repeated.statusCode).toBe(200);
    const receipt = parseReceipt(repeated.headers as Record<string, string>);
    expect(receipt.ok && receipt.value).toEqual({ channelId, senderBalance: 5n * PRICE, cost: PRICE });
  });

  it('answers an unreachable upstream with 502 and no charge', async () => {
    await upstream.close();
    const { res, text } = await get('/api/weather', pay(channelId, 6n * PRICE));
    expect(res.status).toBe(502);
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'UPSTREAM_UNREACHABLE' } });
    const receipt = parseReceipt(res.headers);
    expect(receipt.ok && receipt.value).toEqual({ channelId, senderBalance: 5n * PRICE, cost: 0n });
  });
});
