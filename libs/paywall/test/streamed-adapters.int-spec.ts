// Streamed prices (docs/protocol.md 7.3) through the Fastify plugin, the Nest interceptor (on Fastify) and the
// fetch handler, on Postgres, Kafka and anvil: a real channel opened on anvil and projected from Kafka into the table
// of a startPaywall runtime, an LLM-style completion streaming tokens as SSE, a duplex client paying per token with
// top-up lines on the request body. Each adapter: the charge is tokens x unit price, and a client that leaves midway
// is charged the tokens written before it left.
import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { Controller, type MessageEvent, Module, Query, Sse } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { channelManagerAt, microTokenAt } from '@microraiden/contracts';
import { createChannelEvent } from '@microraiden/events';
import { createEventProducer } from '@microraiden/kafka';
import {
  channelDomain,
  encodePayment,
  signBalanceProof,
  type Address,
  type ChannelDomain,
  type Hex32,
} from '@microraiden/protocol';
import { createTestDatabase, uniqueTopic, waitFor, type TestDatabase } from '@microraiden/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import { from, map, type Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { paywallFetchHandler, receiverKeyOfPrivateKey, startPaywall, type PaywallRuntime } from '../src';
import { paywallPlugin } from '../src/adapters/fastify';
import { Paid, PaywallModule } from '../src/adapters/nest';
import { receiptIn, streamOver, tokenEvents, tokensIn } from '../src/stream/test/duplex-client';
import { serveFetch, webStreamOf } from '../src/stream/test/fetch-bridge';
import { deployClientFixture, type ClientFixture } from '../../client/test/support/client-fixture';

// 1e12 base units per token, 4 tokens a step.
const UNIT = 1_000_000_000_000n;
const STEP = 4n * UNIT;
const routes = [{ prefix: '/v1/complete', stream: { unitPrice: UNIT.toString(), unitsPerStep: 4 } }];

let db: TestDatabase;
let fx: ClientFixture;
let domain: ChannelDomain;
let runtime: PaywallRuntime;
let channelId: Hex32;
let channelsTopic: string;

/** Opens a channel on anvil and publishes its creation as the chain-watcher would, then waits for the row. */
async function openProjectedChannel(deposit: bigint): Promise<Hex32> {
  const sender = fx.sender.address as Address;
  const receiver = fx.receiver.address as Address;
  await fx.mint(sender, deposit);
  await (
    await microTokenAt(fx.deployment.token, fx.sender).approve(fx.deployment.channelManager, deposit)
  ).wait();
  const manager = channelManagerAt(fx.deployment.channelManager, fx.sender);
  const receipt = (await (await manager.createChannel(receiver, deposit)).wait())!;
  const log = receipt.logs.find((l) => manager.interface.parseLog(l)?.name === 'ChannelCreated')!;
  const id = manager.interface.parseLog(log)!.args.channelId as Hex32;
  const block = await fx.provider.getBlock(receipt.blockNumber);
  const event = createChannelEvent(
    'channel.created',
    {
      channelId: id,
      sender,
      receiver,
      deposit,
      chainId: fx.deployment.chainId,
      channelManager: fx.deployment.channelManager as Address,
      blockNumber: receipt.blockNumber,
      blockHash: receipt.blockHash as Hex32,
      transactionHash: receipt.hash as Hex32,
      logIndex: log.index,
    },
    { source: 'chain-watcher', occurredAt: new Date(Number(block!.timestamp) * 1000).toISOString() },
  );
  const producer = createEventProducer({ brokers: inject('kafkaBrokers').split(','), clientId: 'h6-stream' });
  try {
    await producer.publish([event], { topic: channelsTopic });
  } finally {
    await producer.disconnect();
  }
  await waitFor(`channel ${id} projected`, async () => (await row(id)) !== undefined, { timeoutMs: 30_000 });
  return id;
}

async function row(id: Hex32 = channelId): Promise<{ S: bigint; C: bigint } | undefined> {
  const { rows } = await runtime.pool.query<{ s: string; c: string }>(
    `SELECT accepted_balance::text AS s, charged_balance::text AS c FROM gateway_channels
     WHERE channel_id = $1 AND confirmed`,
    [id],
  );
  return rows[0] === undefined ? undefined : { S: BigInt(rows[0].s), C: BigInt(rows[0].c) };
}

const pay = (balance: bigint): Record<string, string> =>
  encodePayment({
    sender: fx.sender.address as Address,
    channelId,
    balance,
    signature: signBalanceProof(fx.senderKey, domain, {
      channelId,
      receiver: fx.receiver.address as Address,
      balance,
    }),
  });

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'paywall_streams', serverUrl: inject('databaseUrl') });
  fx = await deployClientFixture(inject('rpcUrl'));
  domain = channelDomain(BigInt(fx.deployment.chainId), fx.deployment.channelManager);
  channelsTopic = uniqueTopic('h6-stream-channels');
  runtime = await startPaywall({
    deployment: fx.deployment,
    routes,
    receiverKey: receiverKeyOfPrivateKey(fx.receiverKey),
    databaseUrl: db.url,
    kafkaBrokers: inject('kafkaBrokers').split(','),
    groupId: uniqueTopic('h6-stream-group'),
    topics: {
      channels: channelsTopic,
      balanceProofs: uniqueTopic('h6-stream-proofs'),
      deadLetter: uniqueTopic('h6-stream-dlq'),
      partitions: 1,
    },
    log: () => undefined,
  });
  await runtime.channelsFollowed;
  channelId = await openProjectedChannel(1_000n * UNIT);
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  await db?.drop();
  await fx?.dispose();
});

/** The two cases every adapter runs: a full completion on top-ups, and a client leaving after 6 tokens. */
function streamsAndCharges(base: () => string, method: 'GET' | 'POST') {
  it('charges a completion exactly its tokens x the unit price, step by step on top-up lines', async () => {
    const before = (await row())!;
    const first = before.S + 1n > before.C + STEP ? before.S + 1n : before.C + STEP;
    const { status, events } = await streamOver(`${base()}/v1/complete?tokens=10`, pay, first, {
      method,
      topUps: 5,
    });
    expect(status).toBeGreaterThanOrEqual(200);
    expect(status).toBeLessThan(300);
    expect(tokensIn(events)).toBe(10);
    expect(receiptIn(events)).toMatchObject({ cost: (10n * UNIT).toString(), units: 10 });
    const after = (await row())!;
    expect(after.C - before.C).toBe(10n * UNIT);
    expect(after.S - after.C).toBeLessThanOrEqual(STEP);
  });

  it('charges a client that leaves after 6 tokens the tokens written before it left', async () => {
    const before = (await row())!;
    const first = before.S + 1n > before.C + STEP ? before.S + 1n : before.C + STEP;
    const { events } = await streamOver(`${base()}/v1/complete?tokens=40&delay=40`, pay, first, {
      method,
      topUps: 3,
      leaveAfter: 6,
    });
    expect(tokensIn(events)).toBe(6);
    await waitFor('the final charge', async () => (await row())!.C - before.C >= 6n * UNIT, {
      timeoutMs: 5_000,
      intervalMs: 50,
    });
    await new Promise((r) => setTimeout(r, 200));
    // A token may have been on the wire when the connection closed (the handler writes one every 40 ms).
    expect([6n * UNIT, 7n * UNIT]).toContain((await row())!.C - before.C);
    expect(runtime.paywall.inFlightChannels).toBe(0);
  });
}

describe('the Fastify plugin', () => {
  let app: FastifyInstance;
  let base = '';
  beforeAll(async () => {
    app = Fastify();
    await app.register(paywallPlugin, { paywall: runtime });
    app.post('/v1/complete', async (req, reply) => {
      const { tokens, delay } = req.query as { tokens?: string; delay?: string };
      const events = tokenEvents(Number(tokens ?? '10'), Number(delay ?? '2'));
      return reply.type('text/event-stream').send(Readable.from(events));
    });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());
  streamsAndCharges(() => base, 'POST');
});

@Controller('v1')
@Paid()
class CompletionController {
  @Sse('complete')
  complete(@Query('tokens') tokens = '10', @Query('delay') delay = '2'): Observable<MessageEvent> {
    return from(tokenEvents(Number(tokens), Number(delay))).pipe(
      map((text) => ({ type: 'token', data: text.slice(text.indexOf('data: ') + 6).trim() })),
    );
  }
}

describe('the Nest interceptor (Nest on Fastify, @Sse())', () => {
  let app: NestFastifyApplication;
  let base = '';
  beforeAll(async () => {
    @Module({ imports: [PaywallModule.forRoot({ paywall: runtime })], controllers: [CompletionController] })
    class CompletionModule {}
    app = await NestFactory.create<NestFastifyApplication>(CompletionModule, new FastifyAdapter(), {
      logger: false,
    });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });
  afterAll(() => app.close());
  streamsAndCharges(() => base, 'GET');
});

describe('the fetch handler (behind node:http)', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    const handle = paywallFetchHandler(runtime);
    server = serveFetch((request) =>
      handle(request, async (req) => {
        const query = new URL(req.url).searchParams;
        const events = tokenEvents(Number(query.get('tokens') ?? '10'), Number(query.get('delay') ?? '2'));
        return new Response(webStreamOf(events), {
          headers: { 'content-type': 'text/event-stream' },
        });
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  streamsAndCharges(() => base, 'POST');
});
