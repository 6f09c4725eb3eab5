// The client side of x402 (docs/protocol.md 11) end to end: the real @x402/fetch, with the SDK's
// microraiden-channel scheme registered in a real x402Client, pays a real gateway (Postgres, Kafka, anvil):
// it opens a channel within its deposit budget, pays with cumulative proofs and re-syncs on the corrective 402.
import { Client, memoryStateStore } from '@microraiden/client';
import { microTokenAt } from '@microraiden/contracts';
import type { KafkaClientOptions } from '@microraiden/kafka';
import { parseX402Response, privateKeyToAddress } from '@microraiden/protocol';
import { createTestDatabase, type TestDatabase } from '@microraiden/testing';
import { wrapFetchWithPayment } from '@x402/fetch';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { microraidenX402Client } from '../../../libs/client/src/x402';
import { anvilKey, deployChain, writeRoutesFile, type ChainFixture } from './support/chain-fixture';
import { startChannelRelay, type ChannelRelay } from './support/channel-relay';
import {
  createTestTopics,
  startGateway,
  type InProcessGateway,
  type TestTopics,
} from './support/gateway-fixture';
import { json, startUpstream, type TestUpstream } from './support/upstream-server';

const PRICE = 1_000_000_000_000n;
const limits = { maxPricePerRequest: PRICE, maxDeposit: 10n * PRICE, channelWaitMs: 5_000 };
const kafka: KafkaClientOptions = {
  brokers: inject('kafkaBrokers').split(','),
  clientId: 'gateway-x402-client',
};
const senderKey = anvilKey(8);
const sender = privateKeyToAddress(senderKey);

let db: TestDatabase;
let chain: ChainFixture;
let topics: TestTopics;
let upstream: TestUpstream;
let gateway: InProcessGateway;
let relay: ChannelRelay;
const clients: Client[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'h6_x402_client', serverUrl: inject('databaseUrl') });
  chain = await deployChain(inject('rpcUrl'));
  topics = await createTestTopics(kafka);
  upstream = await startUpstream((_req, res) => json(res, 200, { city: 'Berlin' }));
  gateway = await startGateway({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    DEPLOYMENT_FILE: chain.deploymentFile,
    UPSTREAM_URL: upstream.url,
    ROUTES_FILE: writeRoutesFile([{ path: '/api/weather', price: PRICE.toString() }]),
    RECEIVER_PRIVATE_KEY: anvilKey(1),
    GATEWAY_ID: 'x402-client',
    MICRORAIDEN_DEV: '1',
    ...topics,
  });
  const minter = new Wallet(senderKey, chain.provider);
  await (await microTokenAt(chain.deployment.token, minter).mint(sender, 100n * PRICE)).wait();
  relay = startChannelRelay({
    provider: chain.provider,
    deployment: chain.deployment,
    client: kafka,
    topic: topics.CHANNELS_TOPIC,
    fromBlock: await chain.provider.getBlockNumber(),
  });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await relay?.stop();
  await gateway?.close();
  await upstream?.close();
  await db?.drop();
  chain?.close();
});

/** A sender client with its own (in-memory) channel state, as a second device would have. */
function device(): Client {
  const client = new Client(
    { privateKey: senderKey },
    {
      rpcUrl: inject('rpcUrl'),
      deployment: chain.deployment,
      stateStore: memoryStateStore(),
      pollingIntervalMs: 50,
    },
  );
  clients.push(client);
  return client;
}

function settlement(response: Response) {
  const parsed = parseX402Response(response.headers);
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
}

describe('@x402/fetch with the microraiden-channel scheme against the gateway', () => {
  const url = () => `${gateway.url}/api/weather`;
  let first: Client;

  it('opens a channel within the deposit budget and pays with cumulative proofs', async () => {
    first = device();
    const x402 = await microraidenX402Client(first, limits);
    const pay = wrapFetchWithPayment(fetch, x402.client);

    const one = await pay(url());
    expect(one.status, await one.clone().text()).toBe(200);
    expect(await one.json()).toEqual({ city: 'Berlin' });
    const [channel] = await first.channels();
    expect(channel?.deposit).toBe(10n * PRICE);
    expect(settlement(one)).toMatchObject({
      success: true,
      payer: sender,
      amount: PRICE,
      extra: { channelId: channel?.id, senderBalance: PRICE, cost: PRICE },
    });

    const two = await pay(url());
    expect(two.status).toBe(200);
    expect(settlement(two)?.extra).toMatchObject({ senderBalance: 2n * PRICE, cost: PRICE });
    expect(await first.channels()).toHaveLength(1);
    expect((await first.channel(channel!.id)).acknowledgedBalance).toBe(2n * PRICE);
  });

  it('re-syncs on the corrective 402: a second device proves the committed balance is its own and pays on top', async () => {
    const second = device();
    await second.sync(); // knows the channel from the chain, not the 2 * PRICE the first device signed
    const x402 = await microraidenX402Client(second, limits);
    const pay = wrapFetchWithPayment(fetch, x402.client);

    const three = await pay(url());
    expect(three.status, await three.clone().text()).toBe(200);
    expect(settlement(three)?.extra).toMatchObject({ senderBalance: 3n * PRICE, cost: PRICE });
    const [channel] = await second.channels();
    expect(channel?.balance).toBe(3n * PRICE);
  });

  it('does not believe a committed balance above what it signed without the proof', async () => {
    const third = device();
    await third.sync();
    const x402 = await microraidenX402Client(third, limits);
    // A gateway claiming 3 * PRICE without the sender's signature of it: the corrective requirement, unsigned.
    const pay = wrapFetchWithPayment(withoutChannelSignature, x402.client);

    const stale = await pay(url());
    expect(stale.status).toBe(402);
    expect(stale.headers.get('rdn-error')).toBe('BALANCE_STALE');
    const [channel] = await third.channels();
    // It signed PRICE on top of nothing and stays there: the claim is neither acknowledged nor signed over.
    expect([channel?.balance, channel?.acknowledgedBalance]).toEqual([PRICE, 0n]);
  });
});

/** fetch whose corrective 402s lose `extra.channel.signature`: a committed balance claimed without proof. */
const withoutChannelSignature: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const required = response.headers.get('payment-required');
  if (response.status !== 402 || required === null) return response;
  const decoded = JSON.parse(Buffer.from(required, 'base64').toString('utf8')) as {
    accepts: { extra?: { channel?: { signature?: string } } }[];
  };
  for (const offer of decoded.accepts) delete offer.extra?.channel?.signature;
  const headers = new Headers(response.headers);
  headers.set('payment-required', Buffer.from(JSON.stringify(decoded), 'utf8').toString('base64'));
  return new Response(await response.text(), { status: 402, headers });
};
