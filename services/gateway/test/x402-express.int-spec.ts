// x402's own Express middleware (@x402/express) charging over microraiden channels through MicroraidenX402: real
// Postgres (the gateway's table and compare-and-set), Kafka (the gateway projects the channel) and anvil.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { KafkaClientOptions } from '@microraiden/kafka';
import { Paywall, PgChannelStore, RouteTable } from '@microraiden/paywall';
import { MicroraidenX402 } from '@microraiden/paywall/x402';
import {
  encodeX402Payment,
  parseX402PaymentRequired,
  parseX402Response,
  privateKeyToAddress,
  signBalanceProof,
  type Address,
  type Hex32,
  type ParsedX402Challenge,
} from '@microraiden/protocol';
import { createTestDatabase, type TestDatabase } from '@microraiden/testing';
import { paymentMiddleware, x402ResourceServer } from '@x402/express';
import express from 'express';
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

const PRICE = 1_000_000_000_000_000n;
const client: KafkaClientOptions = { brokers: inject('kafkaBrokers').split(','), clientId: 'x402-express' };
const receiverKey = anvilKey(1);
const receiver = privateKeyToAddress(receiverKey);
const senderKey = anvilKey(4);
const sender = privateKeyToAddress(senderKey);

let db: TestDatabase;
let pool: Pool;
let chain: ChainFixture;
let topics: TestTopics;
let gateway: InProcessGateway;
let paywall: Paywall;
let server: Server;
let base: string;
let channelId: Hex32;
let offer: ParsedX402Challenge;
let served = 0;

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'h7_x402_express', serverUrl: inject('databaseUrl') });
  pool = new Pool({ connectionString: db.url, max: 8 });
  chain = await deployChain(inject('rpcUrl'));
  topics = await createTestTopics(client);
  // The gateway migrates the table and projects channel events into it; the Express app shares the table.
  gateway = await startGateway({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    DEPLOYMENT_FILE: chain.deploymentFile,
    ROUTES_FILE: writeRoutesFile([{ path: '/unused', price: '1' }]),
    RECEIVER_PRIVATE_KEY: receiverKey,
    MICRORAIDEN_DEV: '1',
    ...topics,
  });
  paywall = new Paywall({
    identity: {
      receiver,
      domain: chain.domain,
      token: chain.deployment.token as Address,
      gatewayPath: '/api/1',
    },
    routes: new RouteTable([]),
    store: new PgChannelStore(pool, { balanceProofsTopic: topics.BALANCE_PROOFS_TOPIC }),
    gatewayId: 'x402-express',
  });
  const x402 = new MicroraidenX402(paywall, { token: { symbol: 'MTK', decimals: 18 } });
  const resourceServer = new x402ResourceServer(x402.facilitator).register('eip155:31337', x402.scheme);
  const accepts = {
    scheme: 'microraiden-channel',
    network: 'eip155:31337' as const,
    payTo: receiver,
    price: `${PRICE}`,
  };
  const app = express();
  app.use(
    paymentMiddleware(
      {
        'GET /weather': { accepts, description: 'weather' },
        'GET /broken': { accepts, description: 'always fails' },
      },
      resourceServer,
    ),
  );
  app.get('/weather', (_req, res) => {
    served += 1;
    res.json({ city: 'Berlin' });
  });
  app.get('/broken', (_req, res) => {
    res.status(500).json({ error: 'broken' });
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await gateway?.close();
  await pool?.end();
  await db?.drop();
  chain?.close();
});

function pay(balance: bigint, accepted = offer.accepted): Record<string, string> {
  const signature = signBalanceProof(senderKey, chain.domain, { channelId, receiver, balance });
  return encodeX402Payment(accepted, { sender, channelId, balance, signature });
}

async function committed() {
  const { rows } = await pool.query<{ b: string; n: number }>(
    'SELECT accepted_balance::text AS b, paid_requests::int AS n FROM gateway_channels WHERE channel_id = $1',
    [channelId],
  );
  const outbox = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
  return { ...rows[0], events: outbox.rows[0]?.n };
}

describe('@x402/express over microraiden channels', () => {
  it("offers the scheme in x402's own 402, with the token as people read it", async () => {
    const res = await fetch(`${base}/weather`);
    expect(res.status).toBe(402);
    const parsed = parseX402PaymentRequired(res.headers);
    if (!parsed.ok) throw parsed.error;
    offer = parsed.value;
    expect(offer.challenge).toEqual({
      gatewayPath: '/api/1',
      receiver,
      channelManager: chain.deployment.channelManager,
      token: chain.deployment.token,
      price: PRICE,
      chainId: 31337n,
    });
    expect(offer.token).toEqual({ symbol: 'MTK', decimals: 18 });

    const created = await chain.openChannel(4, receiver, 20n * PRICE);
    channelId = created.data.channelId;
    await publishChannelEvents(client, topics.CHANNELS_TOPIC, [created]);
    await waitForChannel(pool, channelId);
  });

  it('charges a paid request once, after the handler succeeded, and answers PAYMENT-RESPONSE', async () => {
    const res = await fetch(`${base}/weather`, { headers: pay(PRICE) });
    expect(res.status, await res.text()).toBe(200);
    expect(parseX402Response(res.headers)).toMatchObject({
      ok: true,
      value: {
        success: true,
        payer: sender,
        transaction: '',
        extra: { channelId, senderBalance: PRICE, cost: PRICE },
      },
    });
    expect(await committed()).toEqual({ b: PRICE.toString(), n: 1, events: 1 });
  });

  it('charges one of many racing duplicates', async () => {
    const proof = pay(2n * PRICE);
    const before = served;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => fetch(`${base}/weather`, { headers: proof })),
    );
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 402)).toBe(true);
    expect(await committed()).toEqual({ b: (2n * PRICE).toString(), n: 2, events: 2 });
    // Duplicates the reservation refused never reached the handler.
    expect(served - before).toBeLessThanOrEqual(statuses.length);
    expect(paywall.inFlightChannels).toBe(0);
  });

  it('does not charge a failing handler and releases the reservation, so the same proof pays later', async () => {
    const proof = pay(3n * PRICE);
    const broken = await fetch(`${base}/broken`, { headers: proof });
    expect(broken.status).toBe(500);
    expect(paywall.inFlightChannels).toBe(0);
    expect((await committed()).b).toBe((2n * PRICE).toString());
    const res = await fetch(`${base}/weather`, { headers: proof });
    expect(res.status).toBe(200);
    expect((await committed()).b).toBe((3n * PRICE).toString());
  });

  it("resyncs a stale client from x402's corrective 402", async () => {
    const stale = await fetch(`${base}/weather`, { headers: pay(PRICE) });
    expect(stale.status).toBe(402);
    const corrective = parseX402PaymentRequired(stale.headers);
    if (!corrective.ok) throw corrective.error;
    expect(corrective.value.error).toBe('BALANCE_STALE');
    expect(corrective.value.channel).toMatchObject({ sender, channelId, balance: 3n * PRICE });
    const next = (corrective.value.channel?.balance ?? 0n) + corrective.value.challenge.price;
    const res = await fetch(`${base}/weather`, { headers: pay(next, corrective.value.accepted) });
    expect(res.status).toBe(200);
    expect(await committed()).toEqual({ b: (4n * PRICE).toString(), n: 4, events: 4 });
  });
});
