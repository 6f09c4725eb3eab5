import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { parseReceipt, parseX402Response, type Hex32 } from '@microraiden/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouteTable } from '../../core/route-table';
import { aTestPaywall } from '../../testing/test-paywall';
import { receiptIn, streamOver, tokensIn, tokenEvents } from '../../stream/test/duplex-client';
import { paywallPlugin } from './paywall-plugin';

const channelId = `0x${'ab'.repeat(32)}` as Hex32;
const { paywall, store, pay, payX402 } = aTestPaywall({
  channelId,
  routes: new RouteTable([
    { match: { prefix: '/paid/' }, rule: { kind: 'paid', prices: new Map([['*', 10n]]) } },
    { match: { prefix: '/free/' }, rule: { kind: 'free' } },
  ]),
  gatewayId: 'fastify-test',
});

let app: FastifyInstance;
let url: string;
let handled = 0;
let releaseSlow: () => void = () => undefined;

beforeAll(async () => {
  app = Fastify();
  await app.register(paywallPlugin, { paywall });
  app.addHook('onRequest', async () => void handled++);
  app.get('/paid/data', async (_req, reply) => reply.header('x-app', 'yes').send({ served: 'data' }));
  app.get('/paid/stream', async (_req, reply) =>
    reply.type('text/plain').send(Readable.from(['one ', 'two'])),
  );
  app.get('/paid/broken', async () => {
    throw Object.assign(new Error('boom'), { statusCode: 500 });
  });
  app.get('/paid/slow', async () => {
    await new Promise<void>((resolve) => (releaseSlow = resolve));
    return { slow: true };
  });
  app.post('/paid/echo', async (req) => ({ echo: req.body }));
  app.get('/free/x', async () => ({ served: 'free' }));
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(() => app.close());

describe('paywallPlugin (Fastify)', () => {
  it('challenges unpaid requests before any later hook or the handler runs', async () => {
    const before = handled;
    const res = await fetch(`${url}/paid/data`);
    expect(res.status).toBe(402);
    expect(res.headers.get('rdn-error')).toBe('PAYMENT_REQUIRED');
    expect(res.headers.get('x-app')).toBeNull();
    expect(handled).toBe(before);
  });

  it('passes free routes through and answers an unlisted path 404 NOT_FOUND', async () => {
    expect(await (await fetch(`${url}/free/x`)).json()).toEqual({ served: 'free' });
    const unknown = await fetch(`${url}/elsewhere`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it("charges a paid request and adds the receipt to the handler's reply", async () => {
    const res = await fetch(`${url}/paid/data`, { headers: pay(10n) });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-app')).toBe('yes');
    expect(await res.json()).toEqual({ served: 'data' });
    expect(parseReceipt(res.headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: 10n, cost: 10n },
    });
    expect(store.events).toHaveLength(1);
  });

  it('does not charge when the handler fails, and answers a replay with BALANCE_STALE without its headers', async () => {
    const failed = await fetch(`${url}/paid/broken`, { headers: pay(20n) });
    expect(failed.status).toBe(500);
    expect(parseReceipt(failed.headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: 10n, cost: 0n },
    });
    expect(store.events).toHaveLength(1);
    const replay = await fetch(`${url}/paid/data`, { headers: pay(10n) });
    expect(replay.status).toBe(409);
    expect(replay.headers.get('x-app')).toBeNull();
  });

  it('charges a streamed reply and a POST with a body', async () => {
    const stream = await fetch(`${url}/paid/stream`, { headers: pay(20n) });
    expect(stream.status).toBe(200);
    expect(await stream.text()).toBe('one two');
    expect(stream.headers.get('rdn-cost')).toBe('10');
    const post = await fetch(`${url}/paid/echo`, {
      method: 'POST',
      headers: { ...pay(30n), 'content-type': 'application/json' },
      body: JSON.stringify({ a: 1 }),
    });
    expect(post.status).toBe(200);
    expect(await post.json()).toEqual({ echo: { a: 1 } });
    expect(store.events).toHaveLength(3);
  });

  it('counts a payment header repeated with the same value once (fetch would join the repeat)', async () => {
    const lines = Object.entries(pay(40n));
    const status = (extra: Array<[string, string]>) =>
      new Promise<number | undefined>((resolve, reject) => {
        const headers = [['Host', new URL(url).host], ...lines, ...extra].flat();
        httpRequest(`${url}/paid/data`, { headers }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        })
          .on('error', reject)
          .end();
      });
    const signature = lines.find(([name]) => name === 'RDN-Balance-Signature')!;
    expect(await status([['RDN-Balance', '50']])).toBe(400);
    expect(await status([signature])).toBe(200);
  });

  it('refuses a path that is not canonical', async () => {
    const res = await fetch(`${url}/free//x`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'PATH_NOT_CANONICAL' } });
  });

  it('charges a payment made with PAYMENT-SIGNATURE once and answers PAYMENT-RESPONSE', async () => {
    const before = store.events.length;
    const res = await fetch(`${url}/paid/data`, { headers: payX402(100n) });
    expect(res.status).toBe(200);
    expect(parseX402Response(res.headers)).toMatchObject({
      ok: true,
      value: { success: true, extra: { channelId, senderBalance: 100n } },
    });
    const replay = await fetch(`${url}/paid/data`, { headers: payX402(100n) });
    expect(replay.status).toBe(402);
    expect(replay.headers.get('rdn-error')).toBe('BALANCE_STALE');
    expect(store.events).toHaveLength(before + 1);
  });

  it('answers a CORS preflight for the payment headers and exposes the answer headers cross-origin', async () => {
    const preflight = await fetch(`${url}/paid/data`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'payment-signature',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/PAYMENT-SIGNATURE/);
    const unpaid = await fetch(`${url}/paid/data`, { headers: { origin: 'https://app.example' } });
    expect(unpaid.headers.get('access-control-allow-origin')).toBe('*');
    expect(unpaid.headers.get('access-control-expose-headers')).toMatch(/PAYMENT-REQUIRED/);
    const broken = await fetch(`${url}/paid/broken`, {
      headers: { ...payX402(200n), origin: 'https://app.example' },
    });
    expect(broken.status).toBe(500);
    expect(broken.headers.get('access-control-expose-headers')).toMatch(/PAYMENT-RESPONSE/);
  });

  it('releases the reservation of a client that went away before the handler answered', async () => {
    const before = store.events.length;
    const balance = 300n;
    const gone = new AbortController();
    const slow = fetch(`${url}/paid/slow`, { headers: pay(balance), signal: gone.signal }).catch(
      () => 'aborted',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    gone.abort();
    expect(await slow).toBe('aborted');
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Still reserved, the same proof would be refused as stale.
    const again = await fetch(`${url}/paid/data`, { headers: pay(balance) });
    expect(again.status).toBe(200);
    releaseSlow();
    expect(store.events).toHaveLength(before + 1);
  });
});

describe('paywallPlugin on a streamed route (docs/protocol.md 7.3)', () => {
  const streamChannel = `0x${'ac'.repeat(32)}` as Hex32;
  // 2 per token, 3 tokens a step: one step = 6.
  const streamed = aTestPaywall({
    channelId: streamChannel,
    routes: new RouteTable([
      {
        match: { prefix: '/complete/' },
        rule: { kind: 'stream', stream: { unitPrice: 2n, unitsPerStep: 3 } },
      },
    ]),
    gatewayId: 'fastify-stream',
  });
  let streamApp: FastifyInstance;
  let base: string;
  const bodies: unknown[] = [];

  beforeAll(async () => {
    streamApp = Fastify();
    await streamApp.register(paywallPlugin, { paywall: streamed.paywall, streamTopUpTimeoutMs: 300 });
    // A Readable of SSE: Fastify pipes it into the metered raw response, honouring its backpressure.
    streamApp.all('/complete/readable', async (req, reply) => {
      bodies.push(req.body);
      const count = Number((req.query as { tokens?: string }).tokens ?? '10');
      return reply.type('text/event-stream').send(Readable.from(tokenEvents(count)));
    });
    // Written to the raw response after hijack, honouring write's return value and drain.
    streamApp.all('/complete/raw', async (req, reply) => {
      reply.hijack();
      const count = Number((req.query as { tokens?: string }).tokens ?? '10');
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for await (const event of tokenEvents(count)) {
        if (res.writableEnded || res.destroyed) break;
        if (!res.write(event)) await new Promise((r) => res.once('drain', r));
      }
      res.end();
    });
    streamApp.get('/complete/refused', async (_req, reply) => reply.code(503).send({ busy: true }));
    base = await streamApp.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => streamApp.close());

  const row = () => streamed.store.channels.get(streamChannel)!;

  it('challenges with one step and the unit price', async () => {
    const res = await fetch(`${base}/complete/readable`);
    expect(res.status).toBe(402);
    expect(res.headers.get('rdn-price')).toBe('6');
    expect(res.headers.get('rdn-price-mode')).toBe('stream');
    expect(res.headers.get('rdn-unit-price')).toBe('2');
  });

  it('meters a returned Readable on top-up lines (a POST whose body Fastify leaves alone)', async () => {
    const { status, headers, events } = await streamOver(
      `${base}/complete/readable?tokens=10`,
      streamed.pay,
      6n,
      { topUps: 5 },
    );
    expect(status).toBe(200);
    expect(headers['rdn-cost']).toBe('0');
    expect(headers['content-type']).toBe('text/event-stream');
    expect(tokensIn(events)).toBe(10);
    expect(receiptIn(events)).toEqual({
      channelId: streamChannel,
      balance: '24',
      chargedBalance: '20',
      cost: '20',
      units: 10,
    });
    expect(bodies).toEqual([undefined]);
    expect(row()).toMatchObject({ acceptedBalance: 24n, chargedBalance: 20n });
  });

  it('meters raw writes after hijack, and ends with the authorisation spent', async () => {
    const { events } = await streamOver(`${base}/complete/raw?tokens=40`, streamed.pay, 26n, {
      method: 'GET',
    });
    expect(tokensIn(events)).toBe(3);
    expect(receiptIn(events)).toMatchObject({ balance: '26', chargedBalance: '26', cost: '6', units: 3 });
  });

  it('charges a client that leaves midway exactly the tokens written before it left', async () => {
    const before = row();
    const { events } = await streamOver(
      `${base}/complete/readable?tokens=30`,
      streamed.pay,
      before.chargedBalance + 6n,
      {
        topUps: 2,
        leaveAfter: 5,
      },
    );
    expect(tokensIn(events)).toBe(5);
    await new Promise((r) => setTimeout(r, 100));
    const charged = row().chargedBalance - before.chargedBalance;
    // One more token may have been on the wire when it left.
    expect([10n, 12n]).toContain(charged);
    expect(streamed.paywall.inFlightChannels).toBe(0);
  });

  it('passes a handler answer that is not 2xx through, charging nothing', async () => {
    const before = row();
    const res = await fetch(`${base}/complete/refused`, {
      headers: streamed.pay(before.chargedBalance + 6n),
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ busy: true });
    expect(res.headers.get('rdn-cost')).toBe('0');
    expect(row().chargedBalance).toBe(before.chargedBalance);
    expect(streamed.paywall.inFlightChannels).toBe(0);
  });
});
