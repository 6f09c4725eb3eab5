import type { KafkaClientOptions } from '@microraiden/kafka';
import { privateKeyToAddress } from '@microraiden/protocol';
import { createTestDatabase, waitFor, type TestDatabase } from '@microraiden/testing';
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

// A real gateway process: its stdout is the log an operator reads.
const PRICE = 1_000_000_000_000_000n; // 0.001 MTK
const client: KafkaClientOptions = {
  brokers: inject('kafkaBrokers').split(','),
  clientId: 'gateway-request-log',
};
const receiverKey = anvilKey(1);
const receiver = privateKeyToAddress(receiverKey);
const senderKey = anvilKey(5);
const sender = privateKeyToAddress(senderKey);
const channelId = randomChannelId();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let db: TestDatabase;
let pool: Pool;
let chain: ChainFixture;
let upstream: TestUpstream;
let gateway: GatewayProcess;

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'gateway_request_log', serverUrl: inject('databaseUrl') });
  pool = new Pool({ connectionString: db.url, max: 2 });
  chain = await deployChain(inject('rpcUrl'));
  const topics = await createTestTopics(client);
  upstream = await startUpstream((_req, res) => {
    // An upstream's own id must not replace the gateway's.
    res.setHeader('x-request-id', 'upstream-chose-this');
    json(res, 200, { ok: true });
  });
  await publishChannelEvents(client, topics.CHANNELS_TOPIC, [
    channelEvent(chain.deployment, 'channel.created', { channelId, sender, receiver, deposit: 100n * PRICE }),
  ]);
  gateway = await spawnGateway({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    DEPLOYMENT_FILE: chain.deploymentFile,
    UPSTREAM_URL: upstream.url,
    ROUTES_FILE: writeRoutesFile([
      { path: '/paid', price: PRICE.toString() },
      { prefix: '/public/', free: true },
    ]),
    RECEIVER_PRIVATE_KEY: receiverKey,
    GATEWAY_ID: 'request-log-1',
    // anvil's public keys are refused outside development.
    MICRORAIDEN_DEV: '1',
    LOG_LEVEL: 'info',
    // The gateway reads the token's symbol and decimals from the chain: the payment log shows MTK amounts.
    RPC_URL: inject('rpcUrl'),
    ...topics,
  });
  await waitForChannel(pool, channelId);
}, 240_000);

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
  await pool?.end();
  await db?.drop();
  chain?.close();
});

/** The JSON log lines the gateway wrote that mention `requestId`. */
async function logLinesOf(requestId: string): Promise<Record<string, unknown>[]> {
  let lines: Record<string, unknown>[] = [];
  await waitFor(
    `a log line with ${requestId}`,
    async () => {
      lines = gateway
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.requestId === requestId);
      return lines.length > 0;
    },
    { timeoutMs: 5_000, intervalMs: 50 },
  );
  return lines;
}

describe('gateway request ids and payment log', () => {
  it('returns the client id of a paid request, sends it upstream and logs the payment under it', async () => {
    const headers = paymentHeaders({
      senderKey,
      sender,
      receiver,
      domain: chain.domain,
      channelId,
      balance: PRICE,
    });
    const res = await fetch(`${gateway.url}/paid?q=secret`, {
      headers: { ...headers, 'x-request-id': 'client-42' },
    });
    expect(res.status, await res.text()).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('client-42');
    expect(upstream.seen.find((r) => r.url === '/paid?q=secret')?.headers['x-request-id']).toBe('client-42');

    const [line, ...more] = await logLinesOf('client-42');
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      context: 'Payment',
      method: 'GET',
      path: '/paid',
      status: 200,
      outcome: 'paid',
      charged: PRICE.toString(),
      chargedTokens: '0.001 MTK',
      sender,
      channelId,
    });
    expect(line!.latencyMs).toEqual(expect.any(Number));
    expect(JSON.stringify(line)).not.toContain('secret');
  });

  it('generates a UUID for a 402 without a (well-formed) id and logs the challenge under it', async () => {
    const res = await fetch(`${gateway.url}/paid`, { headers: { 'x-request-id': 'bad id "with quotes"' } });
    expect(res.status).toBe(402);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(UUID);
    const [line] = await logLinesOf(id!);
    expect(line).toMatchObject({ status: 402, outcome: 'payment_required', code: 'PAYMENT_REQUIRED' });
  });

  it('answers every request with a fresh id: free routes, health, management', async () => {
    const answers = await Promise.all(
      ['/public/x', '/health/ready', '/health/live', '/metrics', '/nowhere'].map((p) =>
        fetch(`${gateway.url}${p}`),
      ),
    );
    const ids = answers.map((r) => r.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
    const free = upstream.seen.find((r) => r.url === '/public/x');
    expect(free?.headers['x-request-id']).toBe(ids[0]);
  });
});
