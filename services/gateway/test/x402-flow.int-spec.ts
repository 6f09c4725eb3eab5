// Paying over x402 (docs/protocol.md section 11) against real gateways, Postgres, Kafka and anvil: the same
// verification and exactly-once acceptance as the RDN-* headers, the corrective 402, PAYMENT-RESPONSE, bad input
// and CORS.
import type { BalanceProofAcceptedV1 } from '@microraiden/events';
import type { KafkaClientOptions } from '@microraiden/kafka';
import {
  encodeX402Payment,
  parseErrorCode,
  parseReceipt,
  parseX402PaymentRequired,
  parseX402Response,
  privateKeyToAddress,
  recoverBalanceProofSigner,
  signBalanceProof,
  type Hex32,
  type ParsedX402Challenge,
} from '@microraiden/protocol';
import { createTestDatabase, type TestDatabase } from '@microraiden/testing';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { anvilKey, deployChain, writeRoutesFile, type ChainFixture } from './support/chain-fixture';
import {
  createTestTopics,
  publishChannelEvents,
  startGateway,
  waitForChannel,
  type InProcessGateway,
  type TestTopics,
} from './support/gateway-fixture';
import { readEvents } from './support/read-events';
import { json, startUpstream, type TestUpstream } from './support/upstream-server';

const PRICE = 1_000_000_000_000_000n;
const client: KafkaClientOptions = { brokers: inject('kafkaBrokers').split(','), clientId: 'gateway-x402' };
const receiverKey = anvilKey(1);
const receiver = privateKeyToAddress(receiverKey);
const senderKey = anvilKey(3);
const sender = privateKeyToAddress(senderKey);

let db: TestDatabase;
let pool: Pool;
let chain: ChainFixture;
let topics: TestTopics;
let upstream: TestUpstream;
let gateways: InProcessGateway[] = [];
let failUpstream = false;
let channelId: Hex32;
let offer: ParsedX402Challenge;

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'h7_gateway_x402', serverUrl: inject('databaseUrl') });
  pool = new Pool({ connectionString: db.url, max: 2 });
  chain = await deployChain(inject('rpcUrl'));
  topics = await createTestTopics(client);
  upstream = await startUpstream((req, res) => {
    if (failUpstream) return json(res, 500, { error: 'upstream broke' });
    json(res, 200, { city: 'Berlin', path: req.url });
  });
  const env = {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    DEPLOYMENT_FILE: chain.deploymentFile,
    UPSTREAM_URL: upstream.url,
    ROUTES_FILE: writeRoutesFile([{ path: '/api/weather', price: PRICE.toString() }]),
    RECEIVER_PRIVATE_KEY: receiverKey,
    // With an RPC endpoint the gateway reads the token's symbol and decimals for x402's requirement.
    RPC_URL: inject('rpcUrl'),
    MICRORAIDEN_DEV: '1',
    ...topics,
  };
  // Two replicas on one database: duplicates racing at different replicas meet only in the compare-and-set.
  gateways = [
    await startGateway({ ...env, GATEWAY_ID: 'x402-a' }),
    await startGateway({ ...env, GATEWAY_ID: 'x402-b', CONSUMER_GROUP: 'microraiden-gateway-x402-b' }),
  ];
});

afterAll(async () => {
  for (const gateway of gateways) await gateway.close();
  await upstream?.close();
  await pool?.end();
  await db?.drop();
  chain?.close();
});

function url(replica = 0): string {
  return `${(gateways[replica] as InProcessGateway).url}/api/weather`;
}

function x402Pay(balance: bigint, accepted = offer.accepted): Record<string, string> {
  const signature = signBalanceProof(senderKey, chain.domain, { channelId, receiver, balance });
  return encodeX402Payment(accepted, { sender, channelId, balance, signature }, offer.resource);
}

async function acceptedRow() {
  const { rows } = await pool.query<{ b: string; n: number; sig: string }>(
    'SELECT accepted_balance::text AS b, paid_requests::int AS n, last_signature AS sig FROM gateway_channels WHERE channel_id = $1',
    [channelId],
  );
  return rows[0];
}

describe('gateway over x402', () => {
  it('offers the microraiden-channel scheme on a 402', async () => {
    const res = await fetch(url());
    expect(res.status).toBe(402);
    const parsed = parseX402PaymentRequired(res.headers);
    if (!parsed.ok) throw parsed.error;
    offer = parsed.value;
    expect(offer.accepted).toMatchObject({
      scheme: 'microraiden-channel',
      network: 'eip155:31337',
      amount: PRICE.toString(),
      payTo: receiver,
      asset: chain.deployment.token,
      extra: { channelManager: chain.deployment.channelManager, name: 'MicroTransferChannels', version: '1' },
    });
    expect(offer.resource?.url).toMatch(/\/api\/weather$/);
    expect(offer.token).toEqual({ symbol: 'MTK', decimals: 18 });
  });

  it('charges a PAYMENT-SIGNATURE once, answers PAYMENT-RESPONSE and emits balance-proof.accepted', async () => {
    const created = await chain.openChannel(3, receiver, 20n * PRICE);
    channelId = created.data.channelId;
    await publishChannelEvents(client, topics.CHANNELS_TOPIC, [created]);
    await waitForChannel(pool, channelId);

    const res = await fetch(url(), { headers: x402Pay(PRICE) });
    expect(res.status, await res.text()).toBe(200);
    expect(parseX402Response(res.headers)).toEqual({
      ok: true,
      value: {
        success: true,
        payer: sender,
        transaction: '',
        network: 31337n,
        amount: PRICE,
        extra: { channelId, senderBalance: PRICE, cost: PRICE },
      },
    });
    expect(parseReceipt(res.headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: PRICE, cost: PRICE },
    });
    // The upstream never sees the client's proof.
    expect(upstream.seen.at(-1)?.headers['payment-signature']).toBeUndefined();
    const events = await readEvents(client, topics.BALANCE_PROOFS_TOPIC, (all) => all.length >= 1);
    expect((events[0] as BalanceProofAcceptedV1).data).toMatchObject({
      channelId,
      balance: PRICE,
      increment: PRICE,
    });
  });

  it('accepts one of many racing duplicates across two replicas, exactly once', async () => {
    const proof = x402Pay(2n * PRICE);
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => fetch(url(i % 2), { headers: proof })),
    );
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 402)).toBe(true);
    for (const res of answers.filter((r) => r.status === 402)) {
      expect(parseErrorCode(res.headers)).toBe('BALANCE_STALE');
      // The refusal is in PAYMENT-REQUIRED's error; a 402 has no PAYMENT-RESPONSE (docs/protocol.md 11.4).
      const required = parseX402PaymentRequired(res.headers);
      expect(required.ok && required.value.error).toBe('BALANCE_STALE');
      expect(res.headers.get('payment-response')).toBeNull();
    }
    expect(await acceptedRow()).toMatchObject({ b: (2n * PRICE).toString(), n: 2 });
    const events = await readEvents(client, topics.BALANCE_PROOFS_TOPIC, (all) => all.length >= 2);
    expect(events.map((e) => (e as BalanceProofAcceptedV1).data.balance)).toEqual([PRICE, 2n * PRICE]);
  });

  it('resyncs a client that lost its state from the corrective 402 alone', async () => {
    const stale = await fetch(url(1), { headers: x402Pay(PRICE) });
    expect(stale.status).toBe(402);
    const corrective = parseX402PaymentRequired(stale.headers);
    if (!corrective.ok) throw corrective.error;
    const channel = corrective.value.channel;
    const row = await acceptedRow();
    expect(channel).toEqual({ sender, channelId, balance: 2n * PRICE, signature: row?.sig });
    expect(
      recoverBalanceProofSigner(
        chain.domain,
        { channelId, receiver, balance: 2n * PRICE },
        channel?.signature ?? '0x',
      ),
    ).toEqual({ ok: true, value: sender });

    // Echoing the corrective requirement as `accepted` is fine.
    const next = (channel?.balance ?? 0n) + corrective.value.challenge.price;
    const res = await fetch(url(0), { headers: x402Pay(next, corrective.value.accepted) });
    expect(res.status).toBe(200);
    const response = parseX402Response(res.headers);
    expect(response.ok && response.value?.extra).toEqual({
      channelId,
      senderBalance: 3n * PRICE,
      cost: PRICE,
    });
  });

  it('does not charge when the upstream fails and says NOT_CHARGED with the unchanged balance', async () => {
    failUpstream = true;
    try {
      const res = await fetch(url(), { headers: x402Pay(4n * PRICE) });
      expect(res.status).toBe(500);
      expect(parseX402Response(res.headers)).toMatchObject({
        ok: true,
        value: { success: false, errorReason: 'NOT_CHARGED', extra: { senderBalance: 3n * PRICE, cost: 0n } },
      });
    } finally {
      failUpstream = false;
    }
    expect((await acceptedRow())?.b).toBe((3n * PRICE).toString());
  });

  it.each([
    ['not base64', '%%%'],
    ['not JSON', Buffer.from('{"x402Version":').toString('base64')],
    ['x402 v1', Buffer.from(JSON.stringify({ x402Version: 1 })).toString('base64')],
    ['over 8192 characters', 'A'.repeat(8200)],
  ])(
    'answers a PAYMENT-SIGNATURE that is %s with 400 PAYMENT_MALFORMED in the x402 shape',
    async (_name, value) => {
      const res = await fetch(url(), { headers: { 'PAYMENT-SIGNATURE': value } });
      expect(res.status).toBe(400);
      expect(parseErrorCode(res.headers)).toBe('PAYMENT_MALFORMED');
      expect(parseX402Response(res.headers)).toMatchObject({
        ok: true,
        value: { success: false, errorReason: 'PAYMENT_MALFORMED', network: 31337n },
      });
    },
  );

  it('lets a browser on another origin preflight the payment headers and read every answer header', async () => {
    const preflight = await fetch(url(), {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'payment-signature, rdn-balance-signature',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    const allowed = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(', ');
    expect(allowed).toEqual(expect.arrayContaining(['payment-signature', 'rdn-balance-signature']));

    const paid = await fetch(url(), { headers: { ...x402Pay(5n * PRICE), origin: 'https://shop.example' } });
    expect(paid.status).toBe(200);
    expect(paid.headers.get('access-control-allow-origin')).toBe('*');
    const exposed = (paid.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(', ');
    const sent = [...paid.headers.keys()].filter((name) => /^(rdn-|payment-|retry-after)/.test(name));
    expect(sent.length).toBeGreaterThan(8);
    expect(exposed).toEqual(expect.arrayContaining(sent));
  });
});

// CI installs Debian's chromium (.ci/run); without it this part is skipped, the fetch-level checks above remain.
const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('a page on another origin (Chromium)', () => {
  it('pays with PAYMENT-SIGNATURE through a real preflight and reads every payment header', async () => {
    // The page's own origin: another port is another origin, so the browser applies CORS to the gateway.
    const page: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>shop</title>');
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    try {
      const tab = await browser.newPage();
      await tab.goto(`http://127.0.0.1:${(page.address() as AddressInfo).port}/`);
      const headers = x402Pay(6n * PRICE);
      const seen = await tab.evaluate(
        async ({ target, headers }) => {
          const unpaid = await fetch(target);
          const paid = await fetch(target, { headers });
          return {
            unpaid: [
              unpaid.status,
              unpaid.headers.get('payment-required') !== null,
              unpaid.headers.get('rdn-price'),
            ],
            paid: [paid.status, paid.headers.get('payment-response'), paid.headers.get('rdn-cost')],
          };
        },
        { target: url(), headers },
      );
      expect(seen.unpaid).toEqual([402, true, PRICE.toString()]);
      const [status, paymentResponse, cost] = seen.paid;
      expect([status, cost]).toEqual([200, PRICE.toString()]);
      expect(parseX402Response({ 'PAYMENT-RESPONSE': paymentResponse as string })).toMatchObject({
        ok: true,
        value: { success: true, extra: { senderBalance: 6n * PRICE } },
      });
    } finally {
      await browser.close();
      await new Promise((resolve) => page.close(resolve));
    }
  });
});
