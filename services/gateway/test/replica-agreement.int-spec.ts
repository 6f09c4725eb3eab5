import type { KafkaClientOptions } from '@microraiden/kafka';
import { parseReceipt, privateKeyToAddress, type Address, type Hex32 } from '@microraiden/protocol';
import { createTestDatabase, type TestDatabase } from '@microraiden/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { channelEvent, randomChannelId } from './support/channel-events';
import { anvilKey, deployChain, writeRoutesFile, type ChainFixture } from './support/chain-fixture';
import {
  createTestTopics,
  paymentHeaders,
  publishChannelEvents,
  waitForChannel,
  type TestTopics,
} from './support/gateway-fixture';
import { spawnGateway, type GatewayProcess } from './support/gateway-process';
import { json, startUpstream, type TestUpstream } from './support/upstream-server';

// Two gateway processes on one database must give every request the answer docs/protocol.md gives it, whatever
// each replica remembers of the channel from its own earlier requests (sections 5.3, 6 and 7).
const PRICE = 1000n;
const client: KafkaClientOptions = {
  brokers: inject('kafkaBrokers').split(','),
  clientId: 'replica-agreement',
};
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
let topics: TestTopics;
let a: GatewayProcess;
let b: GatewayProcess;

function testChannel(keyIndex: number): TestChannel {
  const senderKey = anvilKey(keyIndex);
  return { channelId: randomChannelId(), senderKey, sender: privateKeyToAddress(senderKey) };
}

const resynced = testChannel(4);
const closing = testChannel(5);
const settled = testChannel(6);
const closingPaid = testChannel(7);
const all = [resynced, closing, settled, closingPaid];

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'gateway_agree', serverUrl: inject('databaseUrl') });
  pool = new Pool({ connectionString: db.url, max: 2 });
  chain = await deployChain(inject('rpcUrl'));
  topics = await createTestTopics(client);
  upstream = await startUpstream((req, res) =>
    json(res, req.url?.startsWith('/api/missing') ? 404 : 200, { ok: true }),
  );
  const env = {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    DEPLOYMENT_FILE: chain.deploymentFile,
    UPSTREAM_URL: upstream.url,
    ROUTES_FILE: writeRoutesFile([{ prefix: '/api/', price: PRICE.toString() }]),
    MICRORAIDEN_DEV: '1',
    RECEIVER_PRIVATE_KEY: receiverKey,
    DB_POOL_SIZE: '4',
    ...topics,
  };
  await publishChannelEvents(
    client,
    topics.CHANNELS_TOPIC,
    all.map((c) =>
      channelEvent(chain.deployment, 'channel.created', {
        channelId: c.channelId,
        sender: c.sender,
        receiver,
        deposit: 100n * PRICE,
      }),
    ),
  );
  [a, b] = await Promise.all([
    spawnGateway({ ...env, GATEWAY_ID: 'replica-a' }),
    spawnGateway({ ...env, GATEWAY_ID: 'replica-b' }),
  ]);
  for (const c of all) await waitForChannel(pool, c.channelId);
}, 240_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await upstream?.close();
  await pool?.end();
  await db?.drop();
  chain?.close();
});

function pay(channel: TestChannel, balance: bigint, signerKey = channel.senderKey): Record<string, string> {
  return paymentHeaders({ ...channel, senderKey: signerKey, receiver, domain: chain.domain, balance });
}

async function get(gateway: GatewayProcess, path: string, headers: Record<string, string>) {
  const res = await fetch(`${gateway.url}${path}`, { headers });
  await res.arrayBuffer();
  const receipt = parseReceipt(res.headers);
  return {
    status: res.status,
    code: res.headers.get('rdn-error'),
    receipt: receipt.ok ? receipt.value : undefined,
  };
}

describe('two replicas on one database', () => {
  it("report the fleet's committed balance on a not-charged reply, not the balance one replica remembers", async () => {
    // B remembers the channel at PRICE; A then moves it to 2 PRICE.
    expect((await get(b, '/api/data', pay(resynced, PRICE))).status).toBe(200);
    expect((await get(a, '/api/data', pay(resynced, 2n * PRICE))).status).toBe(200);
    // A higher valid proof at B for a route whose upstream answers 404: not charged, receipt of the committed 2 PRICE.
    const missing = await get(b, '/api/missing', pay(resynced, 3n * PRICE));
    expect(missing).toEqual({
      status: 404,
      code: null,
      receipt: { channelId: resynced.channelId, senderBalance: 2n * PRICE, cost: 0n },
    });
    // The client re-sends the same proof elsewhere and is charged the increment over the committed balance.
    const paid = await get(b, '/api/data', pay(resynced, 3n * PRICE));
    expect(paid.receipt).toEqual({ channelId: resynced.channelId, senderBalance: 3n * PRICE, cost: PRICE });
  });

  it.each([
    ['closing', () => closing, 'channel.close-requested', 'CHANNEL_CLOSING'],
    ['settled', () => settled, 'channel.settled', 'CHANNEL_NOT_FOUND'],
  ] as const)(
    'answer a foreign-key-signed proof for a %s channel in the order of section 6, remembered or not',
    async (_, channelOf, eventType, code) => {
      const channel = channelOf();
      // B remembers the channel open from a paid request; A never saw it.
      expect((await get(b, '/api/data', pay(channel, PRICE))).status).toBe(200);
      const event =
        eventType === 'channel.close-requested'
          ? channelEvent(chain.deployment, eventType, {
              channelId: channel.channelId,
              sender: channel.sender,
              receiver,
              balance: PRICE,
              settleAt: 1_900_000_000n,
            })
          : channelEvent(chain.deployment, eventType, {
              channelId: channel.channelId,
              sender: channel.sender,
              receiver,
              balance: PRICE,
              receiverPaid: PRICE,
              senderRefund: 99n * PRICE,
            });
      await publishChannelEvents(client, topics.CHANNELS_TOPIC, [event]);
      await waitForChannel(pool, channel.channelId, (row) => row.state !== 'open');
      const forged = pay(channel, 2n * PRICE, anvilKey(9));
      expect(await get(a, '/api/data', forged)).toMatchObject({ status: 402, code });
      expect(await get(b, '/api/data', forged)).toMatchObject({ status: 402, code });
    },
  );

  it('refuse a valid proof for a closing channel also when the upstream fails, remembered or not', async () => {
    expect((await get(b, '/api/data', pay(closingPaid, PRICE))).status).toBe(200);
    await publishChannelEvents(client, topics.CHANNELS_TOPIC, [
      channelEvent(chain.deployment, 'channel.close-requested', {
        channelId: closingPaid.channelId,
        sender: closingPaid.sender,
        receiver,
        balance: PRICE,
        settleAt: 1_900_000_000n,
      }),
    ]);
    await waitForChannel(pool, closingPaid.channelId, (row) => row.state === 'closing');
    const proof = pay(closingPaid, 2n * PRICE);
    expect(await get(a, '/api/missing', proof)).toMatchObject({ status: 402, code: 'CHANNEL_CLOSING' });
    expect(await get(b, '/api/missing', proof)).toMatchObject({ status: 402, code: 'CHANNEL_CLOSING' });
  });
});
