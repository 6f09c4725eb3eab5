import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Hex32 } from '@microraiden/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paywallMiddleware } from '../adapters/paywall-middleware';
import { RouteTable } from '../core/route-table';
import { aTestPaywall } from '../testing/test-paywall';

const channelId = `0x${'5e'.repeat(32)}` as Hex32;
// 2 per token, 3 tokens a step: one step = 6.
const { paywall, store, pay } = aTestPaywall({
  channelId,
  routes: new RouteTable([
    { match: { exact: '/complete' }, rule: { kind: 'stream', stream: { unitPrice: 2n, unitsPerStep: 3 } } },
  ]),
  gatewayId: 'stream-test',
});

// The handler: SSE as without a paywall, one token per event, a comment first, honouring backpressure.
async function complete(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const tokens = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('tokens') ?? '10');
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(': start\n\n');
  for (let i = 0; i < tokens && !res.writableEnded; i++) {
    if (!res.write(`event: token\ndata: {"i":${i}}\n\n`)) await new Promise((r) => res.once('drain', r));
    await new Promise((r) => setTimeout(r, 2));
  }
  res.end();
  handled += 1;
}
let handled = 0;

let server: Server;
let port: number;

beforeAll(async () => {
  const middleware = paywallMiddleware(paywall, { streamTopUpTimeoutMs: 300 });
  server = createServer((req, res) => middleware(req, res, () => void complete(req, res)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

/** A duplex client: answers each rdn-authorize with a signed line while `topUps` lasts. */
function stream(
  path: string,
  first: bigint,
  options: { topUps?: number; leaveAfter?: number; replay?: boolean } = {},
) {
  return new Promise<{ status: number; headers: IncomingMessage['headers']; events: string[] }>(
    (resolve, reject) => {
      const req = request({
        port,
        path,
        method: 'POST',
        headers: { ...pay(first), 'content-type': 'application/x-ndjson' },
      });
      let topUps = options.topUps ?? 0;
      let last: string | undefined;
      req.on('error', reject);
      req.on('response', (res) => {
        const events: string[] = [];
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (text: string) => {
          buffer += text;
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) !== -1) {
            const event = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            events.push(event);
            if (
              options.leaveAfter !== undefined &&
              events.filter((e) => e.includes('token')).length >= options.leaveAfter
            ) {
              req.destroy();
              return resolve({ status: res.statusCode ?? 0, headers: res.headers, events });
            }
            if (event.startsWith('event: rdn-authorize')) {
              if (options.replay && last !== undefined) req.write(last);
              if (topUps-- > 0) {
                const needed = BigInt(JSON.parse(event.split('data: ')[1] as string).needed);
                last = `${JSON.stringify({ balance: needed.toString(), signature: pay(needed)['RDN-Balance-Signature'] })}\n`;
                req.write(last);
              } else req.end();
            }
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, events }));
      });
      req.flushHeaders();
    },
  );
}

const tokens = (events: string[]) => events.filter((e) => e.startsWith('event: token')).length;
const receiptOf = (events: string[]) =>
  JSON.parse((events.find((e) => e.startsWith('event: rdn-receipt')) as string).split('data: ')[1] as string);

describe('a streamed route behind paywallMiddleware', () => {
  it('is never delivered by an adapter that does not meter streams (complete): 501, nothing accepted', async () => {
    const probe = aTestPaywall({
      channelId,
      routes: new RouteTable([
        {
          match: { exact: '/complete' },
          rule: { kind: 'stream', stream: { unitPrice: 2n, unitsPerStep: 3 } },
        },
      ]),
      gatewayId: 'proxy-like',
    });
    const admission = await probe.paywall.admit({
      method: 'POST',
      path: '/complete',
      query: '',
      headers: probe.pay(6n),
      resourceUrl: 'http://x/complete',
    });
    if (admission.kind !== 'paid') throw new Error(`expected a ticket, got ${admission.kind}`);
    const completion = await probe.paywall.complete(admission.ticket, { status: 200 });
    expect(completion.kind === 'respond' && completion.response.status).toBe(501);
    expect(probe.store.events).toHaveLength(0);
    expect(probe.paywall.inFlightChannels).toBe(0);
  });

  it('challenges with one step and the unit price', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/complete`, { method: 'POST' });
    expect(res.status).toBe(402);
    expect(res.headers.get('RDN-Price')).toBe('6');
    expect(res.headers.get('RDN-Price-Mode')).toBe('stream');
    expect(res.headers.get('RDN-Unit-Price')).toBe('2');
  });

  it('streams step by step on top-up lines and charges exactly the tokens delivered', async () => {
    const { status, headers, events } = await stream('/complete?tokens=10', 6n, { topUps: 5 });
    expect(status).toBe(200);
    // The first proof is accepted before the first byte, charging nothing.
    expect(headers['rdn-sender-balance']).toBe('6');
    expect(headers['rdn-cost']).toBe('0');
    expect(headers['rdn-charged-balance']).toBe('0');
    expect(tokens(events)).toBe(10);
    expect(events.filter((e) => e.startsWith('event: rdn-authorize'))).toHaveLength(3);
    expect(receiptOf(events)).toEqual({
      channelId,
      balance: '24',
      chargedBalance: '20',
      cost: '20',
      units: 10,
    });
    expect(store.channels.get(channelId)).toMatchObject({ acceptedBalance: 24n, chargedBalance: 20n });
    const charges = store.events.map((e) => e.type);
    expect(charges).toEqual([
      'balance-proof.accepted',
      'balance-proof.accepted',
      'balance-proof.accepted',
      'balance-proof.accepted',
      'balance-proof.charged',
    ]);
  });

  it('ends when the client closes its side with the authorisation spent', async () => {
    // C = 20, S = 24: a step needs 26.
    const handledBefore = handled;
    const { events } = await stream('/complete?tokens=40', 26n, { topUps: 0 });
    expect(tokens(events)).toBe(3);
    // The handler, ahead of what could go out and waiting for drain, is woken and finds the response ended.
    await new Promise((r) => setTimeout(r, 100));
    expect(handled).toBe(handledBefore + 1);
    expect(receiptOf(events)).toMatchObject({ balance: '26', chargedBalance: '26', cost: '6', units: 3 });
  });

  it('refuses a replayed top-up line (exactly once) and goes on with the fresh one', async () => {
    const before = store.channels.get(channelId)!;
    const { events } = await stream('/complete?tokens=9', before.chargedBalance + 6n, {
      topUps: 2,
      replay: true,
    });
    expect(tokens(events)).toBe(9);
    const errors = events.filter((e) => e.startsWith('event: rdn-error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('"code":"BALANCE_STALE"');
    expect(receiptOf(events)).toMatchObject({ cost: '18', units: 9 });
    expect(store.channels.get(channelId)!.chargedBalance - before.chargedBalance).toBe(18n);
  });

  it('charges a client that leaves midway exactly the units written before it left', async () => {
    const before = store.channels.get(channelId)!;
    const events = store.events.length;
    const { events: seen } = await stream('/complete?tokens=20', before.chargedBalance + 6n, {
      topUps: 1,
      leaveAfter: 5,
    });
    expect(tokens(seen)).toBe(5);
    await new Promise((r) => setTimeout(r, 100));
    const after = store.channels.get(channelId)!;
    // 5 tokens read; the handler writes one every 2 ms, so one more may have been on the wire when it left.
    const charged = after.chargedBalance - before.chargedBalance;
    expect([10n, 12n]).toContain(charged);
    expect(after.chargedBalance).toBeLessThanOrEqual(after.acceptedBalance);
    // The top-up's acceptance charged the first step, the final charge the rest.
    expect(store.events.slice(events).map((e) => e.type)).toEqual([
      'balance-proof.accepted',
      'balance-proof.accepted',
      'balance-proof.charged',
    ]);
  });
});
