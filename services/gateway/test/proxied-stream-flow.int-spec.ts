// Streamed prices (docs/protocol.md 7.3) through the gateway's reverse proxy, end to end on real Postgres, Kafka and
// anvil: the gateway app in front of an upstream streaming LLM-style tokens as SSE, paid per token by the client
// SDK's stream() with a budget (unchanged from the embedded paywall), top-ups riding on the same request's body.
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Client } from '@microraiden/client';
import { privateKeyToAddress, type Hex32 } from '@microraiden/protocol';
import { waitFor } from '@microraiden/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anvilKey, type ChainFixture } from './support/chain-fixture';
import { paymentHeaders, type InProcessGateway } from './support/gateway-fixture';
import {
  chargedBy,
  firstStreamBalance,
  STAND_UNIT,
  startProxiedStreamStand,
  type ProxiedStreamStand,
} from './support/proxied-stream-stand';

const UNIT = STAND_UNIT;
const STEP = 4n * UNIT;
const receiver = privateKeyToAddress(anvilKey(1));
const senderKey = anvilKey(8);
const sender = privateKeyToAddress(senderKey);

let stand: ProxiedStreamStand;
let chain: ChainFixture;
let gateway: InProcessGateway;
let client: Client;
let channelId: Hex32;
const channelRow = () => stand.channelRow();
const channelEvents = (done: Parameters<ProxiedStreamStand['channelEvents']>[0]) => stand.channelEvents(done);

/** What the upstream saw of one completion request, by its `id`. */
interface UpstreamCall {
  method: string;
  headers: IncomingMessage['headers'];
  bodyBytes: number;
  written: number;
  /** The connection closed before the completion ended: the gateway aborted the request. */
  aborted: boolean;
}
const calls = new Map<string, UpstreamCall>();

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

/**
 * The upstream: `tokens` SSE events (`pad` characters of filler each), one token each; `slowAfter` tokens in, one
 * per 300 ms; `status` other than 200 answers that status with a JSON body instead.
 */
async function completion(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const tokens = Number(url.searchParams.get('tokens') ?? '10');
  const slowAfter = Number(url.searchParams.get('slowAfter') ?? tokens);
  const pad = 'x'.repeat(Number(url.searchParams.get('pad') ?? '0'));
  const status = Number(url.searchParams.get('status') ?? '200');
  const call: UpstreamCall = {
    method: req.method ?? '',
    headers: req.headers,
    bodyBytes: 0,
    written: 0,
    aborted: false,
  };
  calls.set(url.searchParams.get('id') ?? '', call);
  req.on('data', (chunk: Buffer) => (call.bodyBytes += chunk.length));
  res.once('close', () => (call.aborted = !res.writableFinished));
  if (status !== 200) {
    res.writeHead(status, { 'content-type': 'application/json' });
    return void res.end('{"error":"upstream says no"}');
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (let i = 0; i < tokens && !res.writableEnded && !res.destroyed; i++) {
    const ok = res.write(`event: token\ndata: ${JSON.stringify({ i, token: `t${i} `, pad })}\n\n`);
    call.written++;
    if (!ok) await drainedOrClosed(res);
    if (i + 1 >= slowAfter) await new Promise((resolve) => setTimeout(resolve, 300));
  }
  if (!res.destroyed) res.end();
}

beforeAll(async () => {
  stand = await startProxiedStreamStand({
    name: 'hstream_proxied',
    senderKey,
    routes: [{ path: '/v1/complete', stream: { unitPrice: UNIT.toString(), unitsPerStep: 4 } }],
    handle: completion,
  });
  ({ chain, gateway, client, channelId } = stand);
});

afterAll(() => stand?.close());

async function tokensOf(stream: AsyncIterable<{ event: string; data: string }>, stopAfter = Infinity) {
  const tokens: string[] = [];
  for await (const event of stream) {
    if (event.event === 'token') tokens.push((JSON.parse(event.data) as { token: string }).token);
    if (tokens.length >= stopAfter) break;
  }
  return tokens;
}

/** A raw duplex request to the gateway: `onEvent` sees each SSE event and may write lines on the request body. */
function rawStream(
  path: string,
  balance: bigint,
  onEvent: (event: string, write: (line: string) => void) => void = () => undefined,
): Promise<{ status: number; headers: IncomingMessage['headers']; events: string[] }> {
  const headers = paymentHeaders({ senderKey, sender, receiver, domain: chain.domain, channelId, balance });
  return new Promise((resolve, reject) => {
    const req = request(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-ndjson' },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const events: string[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        buffer += text;
        for (let cut = buffer.indexOf('\n\n'); cut !== -1; cut = buffer.indexOf('\n\n')) {
          events.push(buffer.slice(0, cut));
          onEvent(buffer.slice(0, cut), (line) => req.write(line));
          buffer = buffer.slice(cut + 2);
        }
      });
      res.on('end', () => {
        req.end();
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          events: buffer ? [...events, buffer] : events,
        });
      });
    });
    req.flushHeaders();
  });
}

function topUpLine(balance: bigint): string {
  const proof = paymentHeaders({ senderKey, sender, receiver, domain: chain.domain, channelId, balance });
  return `${JSON.stringify({ balance: balance.toString(), signature: proof['RDN-Balance-Signature'] })}\n`;
}

describe('a streamed completion behind the gateway reverse proxy, paid by client.stream', () => {
  it('streams step by step within the budget and charges exactly tokens * unit price', async () => {
    const before = await channelRow();
    const stream = await client.stream(`${gateway.url}/v1/complete?tokens=25&id=a`, {
      budget: 40n * UNIT,
      method: 'POST',
    });
    expect(stream.status).toBe(200);
    expect(await tokensOf(stream)).toHaveLength(25);
    expect(await stream.receipt).toEqual({
      channelId,
      balance: before.C + 28n * UNIT,
      chargedBalance: before.C + 25n * UNIT,
      cost: 25n * UNIT,
      units: 25,
    });
    expect(stream.spent).toBe(28n * UNIT);
    expect(await channelRow()).toEqual({ S: before.C + 28n * UNIT, C: before.C + 25n * UNIT });
    // The upstream got the request without the top-ups and without the payment headers.
    const call = calls.get('a')!;
    expect(call).toMatchObject({ method: 'POST', bodyBytes: 0, written: 25, aborted: false });
    expect(Object.keys(call.headers).filter((name) => name.startsWith('rdn-'))).toEqual([]);
    expect(call.headers['content-type']).toBeUndefined();
    // First proof (charge 0) + 6 top-ups + the final charge-only commit, summing to the charge.
    const events = await channelEvents((mine) => mine.length >= 8);
    expect(events).toHaveLength(8);
    expect(chargedBy(events)).toBe(25n * UNIT);
  });

  it('stops at the budget: the gateway ends the stream and the upstream request', async () => {
    const before = await channelRow();
    const stream = await client.stream(`${gateway.url}/v1/complete?tokens=200&slowAfter=4&id=b`, {
      budget: 8n * UNIT,
      method: 'POST',
    });
    const tokens = await tokensOf(stream);
    const receipt = await stream.receipt;
    expect(stream.spent).toBeLessThanOrEqual(8n * UNIT);
    expect(tokens.length).toBeLessThan(200);
    expect(receipt?.units).toBe(tokens.length);
    expect(receipt?.cost).toBe(BigInt(tokens.length) * UNIT);
    const after = await channelRow();
    expect(after.C - before.C).toBe(BigInt(tokens.length) * UNIT);
    expect(after.S - before.S).toBe(stream.spent);
    await waitFor('the upstream request aborted', async () => calls.get('b')?.aborted === true, {
      timeoutMs: 5_000,
    });
  });

  it('charges a client that disconnects midway exactly the tokens written, and aborts the upstream', async () => {
    const before = await channelRow();
    const stream = await client.stream(`${gateway.url}/v1/complete?tokens=30&slowAfter=6&id=c`, {
      budget: 40n * UNIT,
      method: 'POST',
    });
    const tokens = await tokensOf(stream, 6);
    stream.close();
    expect(tokens).toHaveLength(6);
    expect(await stream.receipt).toBeNull();
    await waitFor('the upstream request aborted', async () => calls.get('c')?.aborted === true, {
      timeoutMs: 5_000,
    });
    // One token per 300 ms from the 6th on: the abort lands before the upstream wrote many more.
    expect(calls.get('c')!.written).toBeLessThanOrEqual(8);
    await waitFor('the final charge', async () => (await channelRow()).C - before.C === 6n * UNIT, {
      timeoutMs: 5_000,
    });
    const after = await channelRow();
    expect(after.C - before.C).toBe(6n * UNIT);
    expect(after.C).toBeLessThanOrEqual(after.S);
  });

  it('refuses a replayed top-up line (exactly once), on the same request as the fresh one', async () => {
    const before = await channelRow();
    let previous: string | undefined;
    const { events } = await rawStream(
      '/v1/complete?tokens=10&id=d',
      firstStreamBalance(before, STEP),
      (event, write) => {
        if (!event.startsWith('event: rdn-authorize')) return;
        const { needed } = JSON.parse(event.split('data: ')[1]!) as { needed: string };
        if (previous !== undefined) write(previous); // the replay
        previous = topUpLine(BigInt(needed));
        write(previous);
      },
    );
    expect(events.filter((e) => e.startsWith('event: rdn-authorize'))).toHaveLength(2);
    const errors = events.filter((e) => e.startsWith('event: rdn-error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('"code":"BALANCE_STALE"');
    expect(events.filter((e) => e.startsWith('event: token'))).toHaveLength(10);
    expect((await channelRow()).C - before.C).toBe(10n * UNIT);
  });

  it('stops reading the upstream while paused, and ends it after the top-up timeout', async () => {
    const before = await channelRow();
    // 20,000 tokens of ~1 kB: far more than the sockets between upstream, gateway and client buffer.
    const started = Date.now();
    const { events } = await rawStream(
      '/v1/complete?tokens=20000&pad=1000&id=e',
      firstStreamBalance(before, STEP),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(events.filter((e) => e.startsWith('event: token'))).toHaveLength(4);
    expect(events.filter((e) => e.startsWith('event: rdn-authorize'))).toHaveLength(1);
    expect(events.at(-1)).toContain('event: rdn-receipt');
    await waitFor('the upstream request aborted', async () => calls.get('e')?.aborted === true, {
      timeoutMs: 5_000,
    });
    // What the sockets and undici's body buffer hold (~3,800 tokens, ~4 MB, on loopback), not the 20 MB.
    expect(calls.get('e')!.written).toBeLessThan(10_000);
    expect((await channelRow()).C - before.C).toBe(4n * UNIT);
  });

  it('passes an upstream answer that is not 2xx through, charging nothing', async () => {
    const before = await channelRow();
    const answer = await rawStream('/v1/complete?status=503&id=f', firstStreamBalance(before, STEP));
    expect(answer.status).toBe(503);
    expect(answer.headers['rdn-cost']).toBe('0');
    expect(answer.events.join('')).toContain('upstream says no');
    expect((await channelRow()).C).toBe(before.C);
  });

  it('publishes events whose charges sum to the charged balance', async () => {
    const { C } = await channelRow();
    // Read until they reach C (the read times out, failing, if they never do); then nothing beyond it.
    const events = await channelEvents((mine) => chargedBy(mine) >= C);
    expect(chargedBy(events)).toBe(C);
  });
});
