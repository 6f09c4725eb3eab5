import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseReceipt, type Hex32 } from '@microraiden/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiptIn, streamOver, tokenEvents, tokensIn } from '../stream/test/duplex-client';
import { serveFetch, webStreamOf } from '../stream/test/fetch-bridge';
import { paywallFetchHandler, type FetchNext } from './paywall-fetch-handler';
import { RouteTable } from '../core/route-table';
import { aTestPaywall } from '../testing/test-paywall';

const channelId = `0x${'ef'.repeat(32)}` as Hex32;
const { paywall, store, pay } = aTestPaywall({
  channelId,
  routes: new RouteTable([
    { match: { prefix: '/paid/' }, rule: { kind: 'paid', prices: new Map([['*', 10n]]) } },
    { match: { prefix: '/free/' }, rule: { kind: 'free' } },
    { match: { prefix: '/metered/' }, rule: { kind: 'metered', maxPrice: 50n } },
  ]),
  gatewayId: 'fetch-handler-test',
});
const handle = paywallFetchHandler(paywall);
let calls = 0;

// The application behind the handler, as a Hono or Next.js route handler is: Request in, Response out.
const app: FetchNext = async (request) => {
  calls += 1;
  const { pathname } = new URL(request.url);
  if (pathname === '/paid/broken') return new Response('boom', { status: 500 });
  if (pathname === '/paid/throws') throw new Error('handler failed');
  if (pathname.startsWith('/metered/'))
    return Response.json(
      { served: pathname },
      { headers: { 'RDN-Charge': pathname.slice('/metered/'.length) } },
    );
  return Response.json({ served: pathname }, { headers: { 'x-app': 'yes' } });
};
const get = (path: string, headers: Record<string, string> = {}) =>
  handle(new Request(`http://shop.example${path}`, { headers }), app);

describe('paywallFetchHandler', () => {
  it('challenges unpaid requests without calling the application', async () => {
    const res = await get('/paid/data');
    expect(res.status).toBe(402);
    expect(res.headers.get('rdn-error')).toBe('PAYMENT_REQUIRED');
    expect(calls).toBe(0);
  });

  it('passes free routes through', async () => {
    expect(await (await get('/free/x')).json()).toEqual({ served: '/free/x' });
  });

  it("charges a paid request once and adds the receipt to the application's response", async () => {
    const res = await get('/paid/data', pay(10n));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ served: '/paid/data' });
    expect(res.headers.get('x-app')).toBe('yes');
    expect(parseReceipt(res.headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: 10n, cost: 10n },
    });
    expect(store.events).toHaveLength(1);
    const replay = await get('/paid/data', pay(10n));
    expect(replay.status).toBe(409);
    expect(store.events).toHaveLength(1);
  });

  it('does not charge when the application fails or throws', async () => {
    const failed = await get('/paid/broken', pay(20n));
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('boom');
    expect(parseReceipt(failed.headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: 10n, cost: 0n },
    });
    await expect(get('/paid/throws', pay(20n))).rejects.toThrow('handler failed');
    // The reservation was released: the same proof pays for the next request.
    expect((await get('/paid/data', pay(20n))).status).toBe(200);
    expect(store.events).toHaveLength(2);
  });

  it('answers a CORS preflight and exposes the payment headers cross-origin', async () => {
    const preflight = await handle(
      new Request('http://shop.example/paid/data', {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
      }),
      app,
    );
    expect(preflight.status).toBe(204);
    const paid = await get('/paid/data', { ...pay(30n), origin: 'https://app.example' });
    expect(paid.headers.get('access-control-allow-origin')).toBe('*');
    expect(paid.headers.get('access-control-expose-headers')).toMatch(/RDN-Cost/i);
  });

  it('charges a metered request its RDN-Charge (clamped to the ceiling) and strips the header', async () => {
    const before = store.channels.get(channelId)!;
    const first = await get('/metered/12', pay(before.acceptedBalance + 50n));
    expect(first.headers.get('rdn-cost')).toBe('12');
    expect(first.headers.get('rdn-charge')).toBeNull();
    const charged = before.chargedBalance + 12n;
    expect(first.headers.get('rdn-charged-balance')).toBe(charged.toString());
    const over = await get('/metered/51', pay(charged + 50n));
    expect(over.headers.get('rdn-cost')).toBe('50');
    const malformed = await get('/metered/x', pay(charged + 100n));
    expect(malformed.status).toBe(200);
    expect(malformed.headers.get('rdn-cost')).toBe('50');
    expect(store.channels.get(channelId)?.chargedBalance).toBe(charged + 100n);
  });
});

describe('paywallFetchHandler on a streamed route (docs/protocol.md 7.3), served by node:http', () => {
  const streamChannel = `0x${'f5'.repeat(32)}` as Hex32;
  // 2 per token, 3 tokens a step: one step = 6.
  const streamed = aTestPaywall({
    channelId: streamChannel,
    routes: new RouteTable([
      {
        match: { prefix: '/complete' },
        rule: { kind: 'stream', stream: { unitPrice: 2n, unitsPerStep: 3 } },
      },
    ]),
    gatewayId: 'fetch-stream',
  });
  const handleStream = paywallFetchHandler(streamed.paywall, { streamTopUpTimeoutMs: 300 });
  // The completion: a Response whose body is a ReadableStream of SSE, as a Hono or Next.js handler returns it.
  const completion: FetchNext = async (request) => {
    const url = new URL(request.url);
    if (url.pathname === '/complete/refused') return Response.json({ busy: true }, { status: 503 });
    const count = Number(url.searchParams.get('tokens') ?? '10');
    return new Response(webStreamOf(tokenEvents(count)), {
      headers: { 'content-type': 'text/event-stream' },
    });
  };
  let server: Server;
  let base: string;
  const row = () => streamed.store.channels.get(streamChannel)!;

  beforeAll(async () => {
    server = serveFetch((request) => handleStream(request, completion));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('challenges with one step and the unit price', async () => {
    const res = await fetch(`${base}/complete`, { method: 'POST' });
    expect(res.status).toBe(402);
    expect(res.headers.get('rdn-price')).toBe('6');
    expect(res.headers.get('rdn-price-mode')).toBe('stream');
  });

  it('meters the Response body on top-up lines read off request.body, charging exactly the tokens delivered', async () => {
    const { status, headers, events } = await streamOver(`${base}/complete?tokens=10`, streamed.pay, 6n, {
      topUps: 5,
    });
    expect(status).toBe(200);
    expect(headers['rdn-cost']).toBe('0');
    expect(headers['content-type']).toBe('text/event-stream');
    expect(tokensIn(events)).toBe(10);
    expect(events.filter((e) => e.startsWith('event: rdn-authorize'))).toHaveLength(3);
    expect(receiptIn(events)).toEqual({
      channelId: streamChannel,
      balance: '24',
      chargedBalance: '20',
      cost: '20',
      units: 10,
    });
    expect(row()).toMatchObject({ acceptedBalance: 24n, chargedBalance: 20n });
  });

  it('ends when the client closes its side with the authorisation spent', async () => {
    const { events } = await streamOver(`${base}/complete?tokens=40`, streamed.pay, 26n);
    expect(tokensIn(events)).toBe(3);
    expect(receiptIn(events)).toMatchObject({ balance: '26', chargedBalance: '26', cost: '6', units: 3 });
  });

  it('charges a client that leaves midway exactly the tokens written before it left', async () => {
    const before = row();
    const { events } = await streamOver(
      `${base}/complete?tokens=30`,
      streamed.pay,
      before.chargedBalance + 6n,
      {
        topUps: 2,
        leaveAfter: 5,
      },
    );
    expect(tokensIn(events)).toBe(5);
    await new Promise((r) => setTimeout(r, 100));
    expect([10n, 12n]).toContain(row().chargedBalance - before.chargedBalance);
    expect(streamed.paywall.inFlightChannels).toBe(0);
  });

  it('passes an answer that is not 2xx through with the receipt, charging nothing', async () => {
    const before = row();
    const res = await handleStream(
      new Request('http://shop.example/complete/refused', {
        method: 'POST',
        headers: streamed.pay(before.chargedBalance + 6n),
      }),
      completion,
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ busy: true });
    expect(res.headers.get('rdn-cost')).toBe('0');
    expect(row().chargedBalance).toBe(before.chargedBalance);
    expect(streamed.paywall.inFlightChannels).toBe(0);
  });
});
