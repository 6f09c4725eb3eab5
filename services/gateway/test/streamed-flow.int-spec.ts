// Streamed prices (docs/protocol.md 7.3) end to end on real Postgres, Kafka and anvil: an LLM-style completion
// streaming tokens as SSE events behind the embedded paywall (paywallMiddleware over the gateway's table), paid per
// token by the client SDK's stream() with a budget, top-ups riding on the same request's body.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@microraiden/client';
import { BALANCE_PROOF_CHARGED, type MicroraidenEvent } from '@microraiden/events';
import type { KafkaClientOptions } from '@microraiden/kafka';
import { Paywall, paywallMiddleware, PgChannelStore, RouteTable } from '@microraiden/paywall';
import { privateKeyToAddress, type Address, type Hex32 } from '@microraiden/protocol';
import { createTestDatabase, type TestDatabase } from '@microraiden/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { anvilKey, deployChain, writeRoutesFile, type ChainFixture } from './support/chain-fixture';
import type { ChannelRelay } from './support/channel-relay';
import { fundedSender } from './support/funded-sender';
import {
  createTestTopics,
  paymentHeaders,
  startGateway,
  type InProcessGateway,
  type TestTopics,
} from './support/gateway-fixture';
import { readEvents } from './support/read-events';

// 1e12 base units per token, 4 tokens a step.
const UNIT = 1_000_000_000_000n;
const STEP = 4n * UNIT;
const kafka: KafkaClientOptions = { brokers: inject('kafkaBrokers').split(','), clientId: 'gateway-stream' };
const receiverKey = anvilKey(1);
const receiver = privateKeyToAddress(receiverKey);
const senderKey = anvilKey(7);
const sender = privateKeyToAddress(senderKey);

let db: TestDatabase;
let pool: Pool;
let chain: ChainFixture;
let topics: TestTopics;
let gateway: InProcessGateway;
let relay: ChannelRelay;
let server: Server;
let base: string;
let client: Client;
let channelId: Hex32;
/** Tokens the completion handler wrote, per request id. */
const written = new Map<string, number>();

/** The completion: `tokens` SSE events, one token each; `slowAfter` tokens in, it slows to one per 300 ms. */
async function completion(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const tokens = Number(url.searchParams.get('tokens') ?? '10');
  const slowAfter = Number(url.searchParams.get('slowAfter') ?? tokens);
  const id = url.searchParams.get('id') ?? '';
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (let i = 0; i < tokens && !res.writableEnded && !res.destroyed; i++) {
    const ok = res.write(`event: token\ndata: ${JSON.stringify({ i, token: `t${i} ` })}\n\n`);
    written.set(id, (written.get(id) ?? 0) + 1);
    if (!ok) await new Promise((resolve) => res.once('drain', resolve));
    await new Promise((resolve) => setTimeout(resolve, i + 1 >= slowAfter ? 300 : 1));
  }
  res.end();
}

const maxOf = (a: bigint, b: bigint) => (a > b ? a : b);

async function channelRow() {
  const { rows } = await pool.query<{ s: string; c: string }>(
    'SELECT accepted_balance::text AS s, charged_balance::text AS c FROM gateway_channels WHERE channel_id = $1',
    [channelId],
  );
  return { S: BigInt(rows[0]!.s), C: BigInt(rows[0]!.c) };
}

/** What the balance-proof events of the channel charged, read back from Kafka (published by the outbox relay). */
async function chargedByEvents(count: number): Promise<bigint> {
  const mine = (events: readonly MicroraidenEvent[]) =>
    events.filter(
      (e) =>
        (e.type === 'balance-proof.accepted' || e.type === BALANCE_PROOF_CHARGED) &&
        (e.data as { channelId: string }).channelId === channelId,
    );
  const events = await readEvents(kafka, topics.BALANCE_PROOFS_TOPIC, (all) => mine(all).length >= count);
  return mine(events).reduce((sum, e) => {
    const data = e.data as { charge?: bigint; increment?: bigint };
    return sum + (data.charge ?? data.increment ?? 0n);
  }, 0n);
}

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'hstream_streamed', serverUrl: inject('databaseUrl') });
  pool = new Pool({ connectionString: db.url, max: 8 });
  chain = await deployChain(inject('rpcUrl'));
  topics = await createTestTopics(kafka);
  // The gateway migrates the table, projects channels into it and relays the outbox; the app shares the table.
  gateway = await startGateway({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    DEPLOYMENT_FILE: chain.deploymentFile,
    ROUTES_FILE: writeRoutesFile([{ path: '/unused', price: '1' }]),
    RECEIVER_PRIVATE_KEY: receiverKey,
    GATEWAY_ID: 'stream-gateway',
    MICRORAIDEN_DEV: '1',
    ...topics,
  });
  const paywall = new Paywall({
    identity: {
      receiver,
      domain: chain.domain,
      token: chain.deployment.token as Address,
      gatewayPath: '/api/1',
    },
    routes: new RouteTable([
      {
        match: { exact: '/v1/complete' },
        rule: { kind: 'stream', stream: { unitPrice: UNIT, unitsPerStep: 4 } },
      },
    ]),
    store: new PgChannelStore(pool, { balanceProofsTopic: topics.BALANCE_PROOFS_TOPIC }),
    gatewayId: 'stream-app',
  });
  const middleware = paywallMiddleware(paywall, { streamTopUpTimeoutMs: 2_000 });
  server = createServer((req, res) => middleware(req, res, () => void completion(req, res)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  ({ client, relay, channelId } = await fundedSender({
    chain,
    kafka,
    channelsTopic: topics.CHANNELS_TOPIC,
    pool,
    rpcUrl: inject('rpcUrl'),
    senderKey,
    receiver,
    mint: 1000n * UNIT,
    deposit: 200n * UNIT,
  }));
});

afterAll(async () => {
  await client?.close();
  await new Promise((resolve) => server?.close(resolve));
  await relay?.stop();
  await gateway?.close();
  await pool?.end();
  await db?.drop();
  chain?.close();
});

async function tokensOf(stream: AsyncIterable<{ event: string; data: string }>, stopAfter = Infinity) {
  const tokens: string[] = [];
  for await (const event of stream) {
    if (event.event === 'token') tokens.push((JSON.parse(event.data) as { token: string }).token);
    if (tokens.length >= stopAfter) break;
  }
  return tokens;
}

describe('a streamed completion behind the embedded paywall, paid by client.stream', () => {
  it('streams step by step within the budget and charges exactly tokens * unit price', async () => {
    const before = await channelRow();
    const stream = await client.stream(`${base}/v1/complete?tokens=25&id=a`, {
      budget: 40n * UNIT,
      method: 'POST',
    });
    expect(stream.status).toBe(200);
    const tokens = await tokensOf(stream);
    expect(tokens).toHaveLength(25);
    const receipt = await stream.receipt;
    expect(receipt).toEqual({
      channelId,
      balance: before.C + 28n * UNIT,
      chargedBalance: before.C + 25n * UNIT,
      cost: 25n * UNIT,
      units: 25,
    });
    // Signed: 7 steps of 4 tokens; charged: the 25 delivered.
    expect(stream.spent).toBe(28n * UNIT);
    expect(await channelRow()).toEqual({ S: before.C + 28n * UNIT, C: before.C + 25n * UNIT });
    // First proof (charge 0) + 6 top-ups + the final charge-only commit, summing to the charge.
    expect(await chargedByEvents(8)).toBe(25n * UNIT);
  });

  it('stops at the budget: the gateway ends the stream when the authorisation is spent', async () => {
    const before = await channelRow();
    const stream = await client.stream(`${base}/v1/complete?tokens=25&id=b`, {
      budget: 8n * UNIT,
      method: 'POST',
    });
    const tokens = await tokensOf(stream);
    const receipt = await stream.receipt;
    // S - C = 3 units were left authorised by the first stream: the first proof (S + step) covers 7 tokens, one
    // top-up of 4 more would exceed the budget of 8 with the 4 signed first.
    expect(stream.spent).toBeLessThanOrEqual(8n * UNIT);
    expect(receipt?.units).toBe(tokens.length);
    expect(receipt?.cost).toBe(BigInt(tokens.length) * UNIT);
    const after = await channelRow();
    expect(after.C - before.C).toBe(BigInt(tokens.length) * UNIT);
    expect(after.S - before.S).toBe(stream.spent);
    expect(after.C).toBeLessThanOrEqual(after.S);
  });

  it('charges a client that disconnects midway exactly the tokens written before it left', async () => {
    const before = await channelRow();
    const stream = await client.stream(`${base}/v1/complete?tokens=30&slowAfter=6&id=c`, {
      budget: 40n * UNIT,
      method: 'POST',
    });
    const tokens = await tokensOf(stream, 6);
    stream.close();
    expect(tokens).toHaveLength(6);
    expect(await stream.receipt).toBeNull();
    // The handler writes one token per 300 ms from the 6th on: the disconnect lands before the 7th, which the
    // handler may still write (it learns of the close from res) but which goes nowhere and is not charged.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(written.get('c')).toBeLessThanOrEqual(7);
    const after = await channelRow();
    expect(after.C - before.C).toBe(6n * UNIT);
    expect(after.C).toBeLessThanOrEqual(after.S);
  });

  it('refuses a replayed top-up line (exactly once), on the same request as the fresh one', async () => {
    const before = await channelRow();
    const proof = (balance: bigint) =>
      paymentHeaders({ senderKey, sender, receiver, domain: chain.domain, channelId, balance });
    const line = (balance: bigint) =>
      `${JSON.stringify({ balance: balance.toString(), signature: proof(balance)['RDN-Balance-Signature'] })}\n`;
    const events = await new Promise<string[]>((resolve, reject) => {
      const req = request(`${base}/v1/complete?tokens=10&id=d`, {
        method: 'POST',
        // The client rule: max(S + 1, C + one step), so the first proof authorises exactly one step.
        headers: { ...proof(maxOf(before.S + 1n, before.C + STEP)), 'content-type': 'application/x-ndjson' },
      });
      const seen: string[] = [];
      let previous: string | undefined;
      req.on('error', reject);
      req.on('response', (res) => {
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (text: string) => {
          buffer += text;
          for (let cut = buffer.indexOf('\n\n'); cut !== -1; cut = buffer.indexOf('\n\n')) {
            const event = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            seen.push(event);
            if (!event.startsWith('event: rdn-authorize')) continue;
            const { needed } = JSON.parse(event.split('data: ')[1]!) as { needed: string };
            if (previous !== undefined) req.write(previous); // the replay
            previous = line(BigInt(needed));
            req.write(previous);
          }
        });
        res.on('end', () => {
          req.end();
          resolve(seen);
        });
      });
      req.flushHeaders();
    });
    // Two pauses (after tokens 4 and 8): the second one's replay of the first line is refused, once.
    expect(events.filter((e) => e.startsWith('event: rdn-authorize'))).toHaveLength(2);
    const errors = events.filter((e) => e.startsWith('event: rdn-error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('"code":"BALANCE_STALE"');
    expect(events.filter((e) => e.startsWith('event: token'))).toHaveLength(10);
    const after = await channelRow();
    expect(after.C - before.C).toBe(10n * UNIT);
  });
});
