// A streamed route (docs/protocol.md 7.3) through the whole front the stack runs: HAProxy, two gateway replicas as
// their own processes (reverse proxy), and the completion demo's token stream as the upstream. The client SDK pays
// per token with top-ups on the same request's body, so HAProxy must pass the request body and the SSE answer through
// as they are written, both ways at once, without buffering either; the charge must be exactly the tokens delivered.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@microraiden/client';
import type { KafkaClientOptions } from '@microraiden/kafka';
import { privateKeyToAddress, type Hex32 } from '@microraiden/protocol';
import { createTestDatabase, freePort, repoRoot, type TestDatabase } from '@microraiden/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { completionHandler } from '../../../examples/completion/completion';
import { streamCompletion } from '../../../examples/completion/completion-stream';
import {
  anvilKey,
  deployChain,
  writeRoutesFile,
  type ChainFixture,
} from '../../../services/gateway/test/support/chain-fixture';
import type { ChannelRelay } from '../../../services/gateway/test/support/channel-relay';
import { fundedSender } from '../../../services/gateway/test/support/funded-sender';
import { createTestTopics } from '../../../services/gateway/test/support/gateway-fixture';
import { spawnGateway, type GatewayProcess } from '../../../services/gateway/test/support/gateway-process';
import { frontSpec } from '../front-spec';
import { findHaproxy } from '../haproxy-config';
import { ServiceProcess } from '../service-process';

const UNIT = 1_000_000_000_000n;
const UNITS_PER_STEP = 5;
const STEP = UNIT * BigInt(UNITS_PER_STEP);
const kafka: KafkaClientOptions = { brokers: inject('kafkaBrokers').split(','), clientId: 'front-stream' };
const receiverKey = anvilKey(1);
const receiver = privateKeyToAddress(receiverKey);
const haproxyMissing = findHaproxy() === undefined;

let db: TestDatabase;
let pool: Pool;
let chain: ChainFixture;
let upstream: Server;
let relay: ChannelRelay | undefined;
let client: Client;
let channelId: Hex32;
let front: ServiceProcess | undefined;
let runDir: string;
const gateways: GatewayProcess[] = [];

async function channelRow(): Promise<{ S: bigint; C: bigint }> {
  const { rows } = await pool.query<{ s: string; c: string }>(
    'SELECT accepted_balance::text AS s, charged_balance::text AS c FROM gateway_channels WHERE channel_id = $1',
    [channelId],
  );
  return { S: BigInt(rows[0]!.s), C: BigInt(rows[0]!.c) };
}

beforeAll(async () => {
  if (haproxyMissing) return;
  db = await createTestDatabase({ prefix: 'front_stream', serverUrl: inject('databaseUrl') });
  pool = new Pool({ connectionString: db.url, max: 2 });
  chain = await deployChain(inject('rpcUrl'));
  const topics = await createTestTopics(kafka);
  const complete = completionHandler({ delayMs: 2 });
  upstream = createServer((req, res) => void complete(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const env = {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    DEPLOYMENT_FILE: chain.deploymentFile,
    UPSTREAM_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    ROUTES_FILE: writeRoutesFile([
      { path: '/api/complete', stream: { unitPrice: UNIT.toString(), unitsPerStep: UNITS_PER_STEP } },
    ]),
    RECEIVER_PRIVATE_KEY: receiverKey,
    MICRORAIDEN_DEV: '1',
    DB_POOL_SIZE: '4',
    ...topics,
  };
  gateways.push(
    ...(await Promise.all([
      spawnGateway({ ...env, GATEWAY_ID: 'front-stream-1' }),
      spawnGateway({ ...env, GATEWAY_ID: 'front-stream-2' }),
    ])),
  );
  const funded = await fundedSender({
    chain,
    kafka,
    channelsTopic: topics.CHANNELS_TOPIC,
    pool,
    rpcUrl: inject('rpcUrl'),
    senderKey: anvilKey(7),
    receiver,
    mint: 1_000n * STEP,
    deposit: 100n * STEP,
  });
  ({ client, relay, channelId } = funded);
  runDir = mkdtempSync(path.join(tmpdir(), 'front-stream-'));
  const choice = frontSpec({
    port: await freePort(),
    gatewayPorts: gateways.map((g) => g.port),
    configFile: path.join(runDir, 'haproxy.cfg'),
  });
  expect(choice.kind).toBe('haproxy');
  front = await ServiceProcess.start(choice.spec, repoRoot(), runDir, 'a free port');
  await front.waitReady(30_000);
}, 240_000);

afterAll(async () => {
  await front?.stop(5_000);
  await Promise.all(gateways.map((g) => g.stop()));
  await relay?.stop();
  await new Promise((resolve) => upstream?.close(resolve));
  await pool?.end();
  await db?.drop();
  chain?.close();
  if (runDir) rmSync(runDir, { recursive: true, force: true });
});

describe.skipIf(haproxyMissing)('a streamed route through HAProxy and the gateway fleet', () => {
  it('delivers every token with top-ups on the request body and charges exactly the tokens', async () => {
    const before = await channelRow();
    const url = `${front!.url}/api/complete?prompt=front&max_tokens=23`;
    const result = await streamCompletion(client, url, { budget: 10n * STEP });

    expect(result.tokens).toHaveLength(23);
    expect(result.receipt).not.toBeNull();
    expect(result.receipt!.units).toBe(23);
    expect(result.receipt!.cost).toBe(23n * UNIT);
    // 23 tokens at 5 a step: the first proof and four top-ups went through the front on the open request.
    expect(result.spent).toBe(25n * UNIT);
    const after = await channelRow();
    expect(after.C - before.C).toBe(23n * UNIT);
    expect(after.S - before.S).toBe(25n * UNIT);
  });

  it('stops at the budget: what it delivered is what it charged, never more than signed', async () => {
    const before = await channelRow();
    const url = `${front!.url}/api/complete?prompt=budget&max_tokens=40`;
    const result = await streamCompletion(client, url, { budget: 2n * STEP });

    expect(result.tokens).toHaveLength(10);
    expect(result.receipt?.cost).toBe(10n * UNIT);
    const after = await channelRow();
    expect(after.C - before.C).toBe(10n * UNIT);
    // The first test left two tokens authorised ahead (S - C), which this stream used before signing more.
    expect(after.S - before.S).toBe(result.spent);
    expect(result.spent).toBeLessThanOrEqual(2n * STEP);
    expect(after.S).toBe(after.C);
  });
});
