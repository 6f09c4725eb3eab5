import { parseReceipt, type Hex32 } from '@microraiden/protocol';
import { describe, expect, it } from 'vitest';
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
