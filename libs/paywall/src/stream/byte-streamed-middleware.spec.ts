import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Hex32 } from '@microraiden/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paywallMiddleware } from '../adapters/paywall-middleware';
import { RouteTable } from '../core/route-table';
import { aTestPaywall } from '../testing/test-paywall';

const channelId = `0x${'b7'.repeat(32)}` as Hex32;
// 2 per unit of 16 bytes, 3 units a step: one step = 6. /events is metered per SSE event.
const { paywall, store, pay } = aTestPaywall({
  channelId,
  routes: new RouteTable([
    {
      match: { exact: '/file' },
      rule: { kind: 'stream', stream: { unitPrice: 2n, unitsPerStep: 3, unitBytes: 16 } },
    },
    { match: { exact: '/events' }, rule: { kind: 'stream', stream: { unitPrice: 2n, unitsPerStep: 3 } } },
  ]),
  gatewayId: 'byte-stream-test',
});

/** The file: `chunks` writes of 7 bytes (byte i of the body is i % 251), honouring backpressure. */
async function file(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/events') {
    // Not an event stream on a route metered per event.
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end('{"not":"events"}');
  }
  const chunks = Number(url.searchParams.get('chunks') ?? '10');
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(chunks * 7) });
  for (let i = 0; i < chunks && !res.writableEnded; i++) {
    const chunk = Buffer.from(Array.from({ length: 7 }, (_, j) => (i * 7 + j) % 251));
    if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
  }
  res.end();
}

let server: Server;
let port: number;

beforeAll(async () => {
  const middleware = paywallMiddleware(paywall, { streamTopUpTimeoutMs: 300 });
  server = createServer((req, res) => middleware(req, res, () => void file(req, res)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(resolve));
});

interface ByteAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
  trailers: IncomingMessage['trailers'];
}

/**
 * A duplex client of a byte stream: it counts the bytes, and when the units authorised (from the head: S, C, unit
 * price, step, unit size) are all received it writes a top-up for S + step, `topUps` times (then closes its side).
 * `line` replaces a top-up line (a refused one).
 */
function download(
  path: string,
  first: bigint,
  options: { topUps: number; line?: string },
): Promise<ByteAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({
      port,
      path,
      method: 'POST',
      headers: { ...pay(first), 'content-type': 'application/x-ndjson' },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const unitBytes = Number(res.headers['rdn-unit-bytes']);
      const unitPrice = BigInt(res.headers['rdn-unit-price'] as string);
      const step = BigInt(res.headers['rdn-price'] as string);
      let signed = BigInt(res.headers['rdn-sender-balance'] as string);
      const base = BigInt((res.headers['rdn-charged-balance'] as string | undefined) ?? signed);
      let topUps = options.topUps;
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        const units = BigInt(Math.ceil(received / unitBytes));
        if (base + (units + 1n) * unitPrice <= signed) return;
        if (topUps-- <= 0) return void req.end();
        signed += step;
        const proof = `${JSON.stringify({ balance: signed.toString(), signature: pay(signed)['RDN-Balance-Signature'] })}\n`;
        req.write(options.line ?? proof);
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          trailers: res.trailers,
        }),
      );
    });
    req.flushHeaders();
  });
}

const expectedBody = (bytes: number) => Buffer.from(Array.from({ length: bytes }, (_, i) => i % 251));

describe('a byte-metered route (unitBytes) behind paywallMiddleware', () => {
  it('challenges with one step, the unit price and the unit size', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/file`, { method: 'POST' });
    expect(res.status).toBe(402);
    expect(res.headers.get('RDN-Price')).toBe('6');
    expect(res.headers.get('RDN-Unit-Price')).toBe('2');
    expect(res.headers.get('RDN-Unit-Bytes')).toBe('16');
  });

  it('passes the body through unchanged and charges ceil(bytes / unitBytes) units, the receipt in the trailers', async () => {
    // 70 bytes: 4 units of 16 and one of 6 = 5 units = 10.
    const answer = await download('/file?chunks=10', 6n, { topUps: 5 });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/octet-stream');
    expect(answer.headers['content-length']).toBeUndefined();
    expect(answer.headers.trailer).toBe('RDN-Receipt, RDN-Error, RDN-Error-Message');
    expect(answer.headers['rdn-unit-bytes']).toBe('16');
    expect(answer.body.equals(expectedBody(70))).toBe(true);
    expect(JSON.parse(answer.trailers['rdn-receipt'] as string)).toEqual({
      channelId,
      balance: '12',
      chargedBalance: '10',
      cost: '10',
      units: 5,
    });
    expect(answer.trailers['rdn-error']).toBeUndefined();
    expect(store.channels.get(channelId)).toMatchObject({ acceptedBalance: 12n, chargedBalance: 10n });
  });

  it('pauses when the authorisation runs out and ends when the client spent its budget', async () => {
    // C = 10, S = 12: one unit authorised, then a step of 3 more (S = 18); no more top-ups.
    const answer = await download('/file?chunks=40', 12n + 6n, { topUps: 0 });
    expect(answer.body.length).toBe(4 * 16);
    expect(answer.body.equals(expectedBody(64))).toBe(true);
    expect(JSON.parse(answer.trailers['rdn-receipt'] as string)).toMatchObject({
      balance: '18',
      chargedBalance: '18',
      cost: '8',
      units: 4,
    });
  });

  it('ends the stream on a refused top-up, charging the units written, the refusal in the trailers', async () => {
    const before = store.channels.get(channelId)!;
    const answer = await download('/file?chunks=40', before.chargedBalance + 6n, {
      topUps: 1,
      line: '{"balance":"not an amount"}\n',
    });
    expect(answer.body.length).toBe(3 * 16);
    expect(answer.trailers['rdn-error']).toBe('TOP_UP_MALFORMED');
    expect(JSON.parse(answer.trailers['rdn-receipt'] as string)).toMatchObject({ cost: '6', units: 3 });
    expect(store.channels.get(channelId)!.chargedBalance - before.chargedBalance).toBe(6n);
  });

  it('refuses a 2xx that is not an event stream on a route metered per event: 502, charged nothing', async () => {
    const before = store.channels.get(channelId)!;
    const events = store.events.length;
    const res = await fetch(`http://127.0.0.1:${port}/events`, {
      method: 'POST',
      headers: pay(before.chargedBalance + 6n),
    });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('STREAM_NOT_EVENT_STREAM');
    expect(res.headers.get('RDN-Cost')).toBe('0');
    const after = store.channels.get(channelId)!;
    expect(after.chargedBalance).toBe(before.chargedBalance);
    // The first proof was accepted (charge 0) before the handler answered; nothing was charged.
    expect(store.events.slice(events).map((e) => e.type)).toEqual(['balance-proof.accepted']);
  });
});
