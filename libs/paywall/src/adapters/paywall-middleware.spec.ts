import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseReceipt, parseX402Response, type Hex32 } from '@microraiden/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCharge } from '../core/metered-charge';
import { paywallMiddleware } from './paywall-middleware';
import { RouteTable } from '../core/route-table';
import { aTestPaywall } from '../testing/test-paywall';

const channelId = `0x${'cd'.repeat(32)}` as Hex32;
const { paywall, store, pay, payX402 } = aTestPaywall({
  channelId,
  routes: new RouteTable([
    { match: { prefix: '/paid/' }, rule: { kind: 'paid', prices: new Map([['*', 10n]]) } },
    { match: { prefix: '/free/' }, rule: { kind: 'free' } },
    { match: { prefix: '/metered/' }, rule: { kind: 'metered', maxPrice: 50n } },
  ]),
  gatewayId: 'middleware-test',
});

// The application behind the middleware: express-style, writing through writeHead/write/end.
function app(req: IncomingMessage, res: ServerResponse): void {
  // A metered handler reports its cost: through reportCharge, or as an RDN-Charge header it sets itself.
  if (req.url === '/metered/report') reportCharge(res, 7n);
  if (req.url === '/metered/header') res.setHeader('RDN-Charge', '9');
  if (req.url === '/paid/broken') {
    res.writeHead(500, { 'content-type': 'text/plain' });
    return void res.end('boom');
  }
  res.setHeader('content-type', 'application/json');
  res.write('{"served":');
  res.end(`"${req.url}"}`);
}

let server: Server;
let url: string;

beforeAll(async () => {
  const middleware = paywallMiddleware(paywall);
  server = createServer((req, res) =>
    middleware(req, res, (err) => {
      if (err) {
        res.statusCode = 500;
        return void res.end();
      }
      app(req, res);
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('paywallMiddleware', () => {
  it('challenges unpaid requests without calling the application', async () => {
    const res = await fetch(`${url}/paid/data`);
    expect(res.status).toBe(402);
    expect(res.headers.get('rdn-error')).toBe('PAYMENT_REQUIRED');
  });

  it('passes free routes through', async () => {
    const res = await fetch(`${url}/free/x`);
    expect(await res.json()).toEqual({ served: '/free/x' });
  });

  it("charges a paid request and adds the receipt to the application's response", async () => {
    const res = await fetch(`${url}/paid/data`, { headers: pay(10n) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ served: '/paid/data' });
    expect(parseReceipt(res.headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: 10n, cost: 10n },
    });
    expect(store.events).toHaveLength(1);
  });

  it('does not charge when the application fails, and answers a replay with BALANCE_STALE', async () => {
    const failed = await fetch(`${url}/paid/broken`, { headers: pay(20n) });
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('boom');
    expect(parseReceipt(failed.headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: 10n, cost: 0n },
    });
    expect(store.events).toHaveLength(1);
    const replay = await fetch(`${url}/paid/data`, { headers: pay(10n) });
    expect(replay.status).toBe(409);
  });

  it('counts a payment header repeated with the same value once (fetch would join the repeat)', async () => {
    const lines = Object.entries(pay(30n));
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
    expect(await status([['RDN-Balance', '40']])).toBe(400);
    expect(await status([signature])).toBe(200);
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
    expect(broken.headers.get('access-control-expose-headers')).toMatch(/PAYMENT-RESPONSE/);
  });

  it('charges a metered request what the handler reported and never sends RDN-Charge on', async () => {
    const before = store.channels.get(channelId)!;
    const start = before.acceptedBalance;
    const reported = await fetch(`${url}/metered/report`, { headers: pay(start + 50n) });
    expect(reported.status).toBe(200);
    expect(parseReceipt(reported.headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: start + 50n, cost: 7n, chargedBalance: before.chargedBalance + 7n },
    });
    expect(reported.headers.get('rdn-price-mode')).toBe('metered');
    const header = await fetch(`${url}/metered/header`, { headers: pay(before.chargedBalance + 7n + 50n) });
    expect(header.headers.get('rdn-cost')).toBe('9');
    expect(header.headers.get('rdn-charge')).toBeNull();
    expect(store.channels.get(channelId)?.chargedBalance).toBe(before.chargedBalance + 16n);
  });
});
