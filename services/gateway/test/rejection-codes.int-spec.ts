import { createRetraction } from '@microraiden/events';
import type { KafkaClientOptions } from '@microraiden/kafka';
import {
  parseChallenge,
  parseReceipt,
  parseX402PaymentRequired,
  privateKeyToAddress,
  PROTOCOL_ERRORS,
  PROTOCOL_ERROR_CODES,
  type Address,
  type Hex32,
  type ProtocolErrorCode,
} from '@microraiden/protocol';
import { createTestDatabase, type TestDatabase } from '@microraiden/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { channelEvent, randomChannelId } from './support/channel-events';
import { anvilKey, deployChain, writeRoutesFile, type ChainFixture } from './support/chain-fixture';
import {
  createTestTopics,
  paymentHeaders,
  publishChannelEvents,
  startGateway,
  waitForChannel,
  type InProcessGateway,
} from './support/gateway-fixture';
import { json, startUpstream, type TestUpstream } from './support/upstream-server';

const PRICE = 1000n;
const client: KafkaClientOptions = {
  brokers: inject('kafkaBrokers').split(','),
  clientId: 'gateway-rejections',
};
const receiverKey = anvilKey(1);
const receiver = privateKeyToAddress(receiverKey);
const senderKey = anvilKey(3);
const sender = privateKeyToAddress(senderKey);
const stranger = privateKeyToAddress(anvilKey(9));

let db: TestDatabase;
let pool: Pool;
let chain: ChainFixture;
let upstream: TestUpstream;
let gateway: InProcessGateway;

const open = randomChannelId();
const foreign = randomChannelId();
const closing = randomChannelId();
const retracted = randomChannelId();
const settled = randomChannelId();

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'gateway_rejections', serverUrl: inject('databaseUrl') });
  pool = new Pool({ connectionString: db.url, max: 2 });
  chain = await deployChain(inject('rpcUrl'));
  const topics = await createTestTopics(client);
  upstream = await startUpstream((_req, res) => json(res, 200, { ok: true }));
  gateway = await startGateway({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    DEPLOYMENT_FILE: chain.deploymentFile,
    UPSTREAM_URL: upstream.url,
    ROUTES_FILE: writeRoutesFile([{ path: '/paid', price: PRICE.toString() }]),
    MICRORAIDEN_DEV: '1',
    RECEIVER_PRIVATE_KEY: receiverKey,
    ...topics,
  });
  const { deployment } = chain;
  const created = (channelId: Hex32, to: Address = receiver) =>
    channelEvent(deployment, 'channel.created', { channelId, sender, receiver: to, deposit: 5n * PRICE });
  const retractedCreation = created(retracted);
  await publishChannelEvents(client, topics.CHANNELS_TOPIC, [
    created(open),
    created(foreign, stranger),
    created(closing),
    channelEvent(deployment, 'channel.close-requested', {
      channelId: closing,
      sender,
      receiver,
      balance: 0n,
      settleAt: 1_900_000_000n,
    }),
    retractedCreation,
    createRetraction(retractedCreation, { source: 'chain-watcher', occurredAt: new Date().toISOString() }),
    created(settled),
    channelEvent(deployment, 'channel.settled', {
      channelId: settled,
      sender,
      receiver,
      balance: 0n,
      receiverPaid: 0n,
      senderRefund: 5n * PRICE,
    }),
  ]);
  await waitForChannel(pool, open);
  await waitForChannel(pool, closing, (row) => row.state === 'closing');
  await waitForChannel(pool, settled, (row) => row.state === 'settled');
  await waitForChannel(pool, retracted, (row) => !row.confirmed);
  await waitForChannel(pool, foreign);
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  await pool?.end();
  await db?.drop();
  chain?.close();
});

function pay(channelId: Hex32, balance: bigint, overrides: Record<string, string> = {}) {
  return {
    ...paymentHeaders({ senderKey, sender, receiver, domain: chain.domain, channelId, balance }),
    ...overrides,
  };
}

const exercised = new Set<ProtocolErrorCode>();

async function expectRejection(
  code: ProtocolErrorCode,
  request: { path?: string; method?: string; headers?: Record<string, string>; body?: string },
): Promise<Response> {
  const res = await fetch(`${gateway.url}${request.path ?? '/paid'}`, {
    method: request.method ?? 'GET',
    headers: request.headers ?? {},
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const body = (await res.clone().json()) as { error: { code: string } };
  expect({ status: res.status, code: body.error.code, header: res.headers.get('rdn-error') }).toEqual({
    status: PROTOCOL_ERRORS[code].status,
    code,
    header: code,
  });
  exercised.add(code);
  return res;
}

describe('every documented rejection', () => {
  it('PAYMENT_REQUIRED without payment headers', async () => {
    const res = await expectRejection('PAYMENT_REQUIRED', {});
    expect(res.headers.get('payment-required')).toBeTruthy();
    expect(res.headers.get('rdn-price')).toBe(PRICE.toString());
  });

  it('PAYMENT_MALFORMED for partial or malformed payment headers', async () => {
    await expectRejection('PAYMENT_MALFORMED', { headers: { 'RDN-Sender-Address': sender } });
    const res = await expectRejection('PAYMENT_MALFORMED', {
      headers: pay(open, PRICE, { 'RDN-Balance': '01000' }),
    });
    expect(((await res.json()) as { error: { details: { header: string } } }).error.details.header).toBe(
      'RDN-Balance',
    );
  });

  it('WRONG_CHAIN, WRONG_CONTRACT and WRONG_RECEIVER for echoes of another domain', async () => {
    await expectRejection('WRONG_CHAIN', { headers: pay(open, PRICE, { 'RDN-Chain-Id': '1' }) });
    await expectRejection('WRONG_CONTRACT', {
      headers: pay(open, PRICE, { 'RDN-Contract-Address': stranger }),
    });
    await expectRejection('WRONG_RECEIVER', {
      headers: pay(open, PRICE, { 'RDN-Receiver-Address': stranger }),
    });
  });

  it('WRONG_RECEIVER for a channel opened to another receiver', async () => {
    const res = await expectRejection('WRONG_RECEIVER', { headers: pay(foreign, PRICE) });
    expect(res.headers.get('rdn-invalid-balance-proof')).toBe('1');
  });

  it('CHANNEL_NOT_FOUND for an unknown and for a settled channel', async () => {
    const res = await expectRejection('CHANNEL_NOT_FOUND', { headers: pay(randomChannelId(), PRICE) });
    expect(res.headers.get('rdn-nonexisting-channel')).toBe('1');
    await expectRejection('CHANNEL_NOT_FOUND', { headers: pay(settled, PRICE) });
  });

  it('SENDER_MISMATCH when RDN-Sender-Address is not the channel sender', async () => {
    await expectRejection('SENDER_MISMATCH', {
      headers: pay(open, PRICE, { 'RDN-Sender-Address': stranger }),
    });
  });

  it('CHANNEL_CLOSING after an uncooperative close was seen', async () => {
    await expectRejection('CHANNEL_CLOSING', { headers: pay(closing, PRICE) });
  });

  it('CHANNEL_INSUFFICIENT_CONFIRMATIONS with Retry-After when the creation was retracted', async () => {
    const res = await expectRejection('CHANNEL_INSUFFICIENT_CONFIRMATIONS', {
      headers: pay(retracted, PRICE),
    });
    expect(res.headers.get('retry-after')).toBe('15');
  });

  it('BALANCE_EXCEEDS_DEPOSIT above the deposit', async () => {
    await expectRejection('BALANCE_EXCEEDS_DEPOSIT', { headers: pay(open, 6n * PRICE) });
  });

  it('INVALID_SIGNATURE for a proof signed by someone else', async () => {
    const forged = paymentHeaders({
      senderKey: anvilKey(9),
      sender,
      receiver,
      domain: chain.domain,
      channelId: open,
      balance: PRICE,
    });
    await expectRejection('INVALID_SIGNATURE', { headers: forged });
  });

  it('BALANCE_STALE (409, with a receipt) for a replayed proof', async () => {
    const first = await fetch(`${gateway.url}/paid`, { headers: pay(open, 2n * PRICE) });
    expect(first.status).toBe(200);
    const res = await expectRejection('BALANCE_STALE', { headers: pay(open, 2n * PRICE) });
    const receipt = parseReceipt(res.headers);
    expect(receipt.ok && receipt.value).toEqual({ channelId: open, senderBalance: 2n * PRICE, cost: 0n });
    expect(res.headers.get('rdn-price')).toBe(PRICE.toString());
  });

  it('INCREMENT_BELOW_PRICE (with a receipt) for too small an increment', async () => {
    const res = await expectRejection('INCREMENT_BELOW_PRICE', { headers: pay(open, 3n * PRICE - 1n) });
    const receipt = parseReceipt(res.headers);
    expect(receipt.ok && receipt.value).toEqual({ channelId: open, senderBalance: 2n * PRICE, cost: 0n });
  });

  it('CLOSE_BALANCE_MISMATCH and PAYMENT_MALFORMED on the close request', async () => {
    const signature = pay(open, PRICE)['RDN-Balance-Signature']!;
    await expectRejection('CLOSE_BALANCE_MISMATCH', {
      method: 'DELETE',
      path: `/api/1/channels/${sender}/${open}`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ balance: PRICE.toString(), balanceSignature: signature }),
    });
    await expectRejection('PAYMENT_MALFORMED', {
      method: 'DELETE',
      path: `/api/1/channels/${sender}/${open}?balance=x&balanceSignature=${signature}`,
    });
    // Refused closes leave the channel open.
    expect((await fetch(`${gateway.url}/paid`, { headers: pay(open, 3n * PRICE) })).status).toBe(200);
  });

  it("the close API's 402 and 409 carry the challenge, and its 402 PAYMENT-REQUIRED (section 8.3)", async () => {
    const close = (channelId: Hex32, balance: bigint) =>
      fetch(`${gateway.url}/api/1/channels/${sender}/${channelId}`, {
        method: 'DELETE',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          balance: balance.toString(),
          balanceSignature: pay(channelId, balance)['RDN-Balance-Signature'],
        }),
      });
    const expected = {
      gatewayPath: '/api/1',
      receiver,
      channelManager: chain.deployment.channelManager,
      token: chain.deployment.token,
      // The close request has no price of its own: the lowest price of the paid routes.
      price: PRICE,
      chainId: chain.domain.chainId,
    };
    const mismatch = await close(open, PRICE);
    expect([mismatch.status, mismatch.headers.get('rdn-error')]).toEqual([409, 'CLOSE_BALANCE_MISMATCH']);
    expect(parseChallenge(mismatch.headers)).toEqual({ ok: true, value: expected });
    expect(mismatch.headers.get('payment-required')).toBeNull();
    const unknown = await close(randomChannelId(), PRICE);
    expect([unknown.status, unknown.headers.get('rdn-error')]).toEqual([402, 'CHANNEL_NOT_FOUND']);
    expect(parseChallenge(unknown.headers)).toEqual({ ok: true, value: expected });
    const x402 = parseX402PaymentRequired(unknown.headers);
    expect(x402.ok && x402.value.challenge).toEqual(expected);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('CHANNEL_NOT_FOUND');
  });

  it('GATEWAY_UNAVAILABLE (503, Retry-After) when the database is gone', async () => {
    await gateway.runtime.pool.end();
    const res = await expectRejection('GATEWAY_UNAVAILABLE', { headers: pay(open, 4n * PRICE) });
    expect(res.headers.get('retry-after')).toBe('5');
  });

  it('exercised every code a gateway sends', () => {
    const wire = PROTOCOL_ERROR_CODES.filter((code) => PROTOCOL_ERRORS[code].scope === 'wire');
    expect([...exercised].sort()).toEqual([...wire].sort());
  });
});
