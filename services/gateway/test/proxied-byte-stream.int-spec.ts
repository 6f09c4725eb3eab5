// Byte-metered streams (docs/protocol.md 7.3, "Byte-metered streams") through the gateway's reverse proxy, end to end
// on real Postgres, Kafka and anvil: an upstream streaming `application/octet-stream` chunks, paid per unit of
// RDN-Unit-Bytes bytes by a client that counts bytes and tops up from the head, the receipt in the trailers.
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { fetchStreamTransport, type Client } from '@microraiden/client';
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

// 1e12 base units per unit of 1000 bytes, 4 units a step.
const UNIT = STAND_UNIT;
const UNIT_BYTES = 1000;
const STEP = 4n * UNIT;
const receiver = privateKeyToAddress(anvilKey(1));
const senderKey = anvilKey(6);
const sender = privateKeyToAddress(senderKey);

let stand: ProxiedStreamStand;
let chain: ChainFixture;
let gateway: InProcessGateway;
let client: Client;
let channelId: Hex32;
const channelRow = () => stand.channelRow();
const channelEvents = (done: Parameters<ProxiedStreamStand['channelEvents']>[0]) => stand.channelEvents(done);

/** What the upstream saw of one download, by its `id`. */
interface UpstreamCall {
  written: number;
  aborted: boolean;
}
const calls = new Map<string, UpstreamCall>();

/** Byte i of every body: i % 251 (so a cut or a reordering shows). */
const bodyBytes = (from: number, length: number) =>
  Buffer.from(Array.from({ length }, (_, i) => (from + i) % 251));

/**
 * The upstream: `bytes` bytes of `application/octet-stream` in chunks of `chunk`; `slowAfter` bytes in, one chunk per
 * 300 ms. `/v1/events` answers the same bytes on a route metered per SSE event.
 */
async function download(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const bytes = Number(url.searchParams.get('bytes') ?? '10000');
  const chunk = Number(url.searchParams.get('chunk') ?? '777');
  const slowAfter = Number(url.searchParams.get('slowAfter') ?? bytes);
  const call: UpstreamCall = { written: 0, aborted: false };
  calls.set(url.searchParams.get('id') ?? '', call);
  res.once('close', () => (call.aborted = !res.writableFinished));
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes) });
  while (call.written < bytes && !res.destroyed) {
    const length = Math.min(chunk, bytes - call.written);
    const ok = res.write(bodyBytes(call.written, length));
    call.written += length;
    if (!ok) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
    if (call.written >= slowAfter) await new Promise((resolve) => setTimeout(resolve, 300));
  }
  if (!res.destroyed) res.end();
}

function signedLine(balance: bigint): string {
  const proof = paymentHeaders({ senderKey, sender, receiver, domain: chain.domain, channelId, balance });
  return `${JSON.stringify({ balance: balance.toString(), signature: proof['RDN-Balance-Signature'] })}\n`;
}

interface Downloaded {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
  trailers: IncomingMessage['trailers'];
}

/**
 * A duplex client of a byte stream, as docs/protocol.md 7.3 says: from the head (S, C, unit price, step, unit size)
 * and its byte count it writes a line for S + step once the units it received use up the authorisation, `topUps`
 * times, then closes its side; `leaveAfter` bytes in, it disconnects.
 */
function rawDownload(
  path: string,
  first: bigint,
  options: { topUps: number; leaveAfter?: number },
): Promise<Downloaded> {
  const headers = paymentHeaders({
    senderKey,
    sender,
    receiver,
    domain: chain.domain,
    channelId,
    balance: first,
  });
  return new Promise((resolve, reject) => {
    const req = request(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-ndjson' },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let received = 0;
      let signed = BigInt(res.headers['rdn-sender-balance'] as string);
      const base = BigInt((res.headers['rdn-charged-balance'] as string | undefined) ?? signed);
      let topUps = options.topUps;
      const done = () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          trailers: res.trailers,
        });
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        if (options.leaveAfter !== undefined && received >= options.leaveAfter) {
          req.destroy();
          res.destroy();
          return done();
        }
        const units = BigInt(Math.ceil(received / UNIT_BYTES));
        if (base + (units + 1n) * UNIT <= signed) return;
        if (topUps-- <= 0) return void req.end();
        signed += STEP;
        req.write(signedLine(signed));
      });
      res.on('end', () => {
        req.end();
        done();
      });
    });
    req.flushHeaders();
  });
}

beforeAll(async () => {
  stand = await startProxiedStreamStand({
    name: 'hbytes_proxied',
    senderKey,
    routes: [
      { path: '/v1/file', stream: { unitPrice: UNIT.toString(), unitsPerStep: 4, unitBytes: UNIT_BYTES } },
      { path: '/v1/events', stream: { unitPrice: UNIT.toString(), unitsPerStep: 4 } },
    ],
    handle: download,
  });
  ({ chain, gateway, client, channelId } = stand);
});

afterAll(() => stand?.close());

describe('a byte-metered download behind the gateway reverse proxy', () => {
  it('passes the bytes through unchanged and charges exactly ceil(bytes / unitBytes) * unitPrice', async () => {
    const before = await channelRow();
    // 10,500 bytes in chunks of 777: 10 units of 1000 and one of 500 = 11 units.
    const answer = await rawDownload('/v1/file?bytes=10500&id=a', firstStreamBalance(before, STEP), {
      topUps: 10,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/octet-stream');
    expect(answer.headers['rdn-unit-bytes']).toBe('1000');
    expect(answer.headers.trailer).toBe('RDN-Receipt, RDN-Error, RDN-Error-Message');
    expect(answer.body.equals(bodyBytes(0, 10_500))).toBe(true);
    const after = await channelRow();
    expect(after.C - before.C).toBe(11n * UNIT);
    // First proof + 2 top-ups (at 4 and 8 units): S moved three steps.
    expect(after.S - before.S).toBe(12n * UNIT);
    expect(JSON.parse(answer.trailers['rdn-receipt'] as string)).toEqual({
      channelId,
      balance: after.S.toString(),
      chargedBalance: after.C.toString(),
      cost: (11n * UNIT).toString(),
      units: 11,
    });
    // First proof (charge 0) + 2 top-ups + the final charge, summing to the charge.
    const events = await channelEvents((mine) => mine.length >= 4);
    expect(events).toHaveLength(4);
    expect(chargedBy(events)).toBe(11n * UNIT);
  });

  it('stops at the budget: the gateway ends the stream and the upstream request', async () => {
    const before = await channelRow();
    const answer = await rawDownload(
      '/v1/file?bytes=1000000&chunk=1000&slowAfter=6000&id=b',
      firstStreamBalance(before, STEP),
      { topUps: 1 },
    );
    // Two steps: 8 units, 8,000 bytes.
    expect(answer.body.length).toBe(8 * UNIT_BYTES);
    expect(JSON.parse(answer.trailers['rdn-receipt'] as string)).toMatchObject({ units: 8 });
    expect((await channelRow()).C - before.C).toBe(8n * UNIT);
    await waitFor('the upstream request aborted', async () => calls.get('b')?.aborted === true, {
      timeoutMs: 5_000,
    });
  });

  it('charges a client that disconnects midway exactly the units written, and aborts the upstream', async () => {
    const before = await channelRow();
    // Quick for 6 units, then one unit per 300 ms; the client leaves after 6 units.
    const answer = await rawDownload(
      '/v1/file?bytes=100000&chunk=1000&slowAfter=6000&id=c',
      firstStreamBalance(before, STEP),
      { topUps: 10, leaveAfter: 6 * UNIT_BYTES },
    );
    expect(answer.body.length).toBe(6 * UNIT_BYTES);
    await waitFor('the upstream request aborted', async () => calls.get('c')?.aborted === true, {
      timeoutMs: 5_000,
    });
    await waitFor('the final charge', async () => (await channelRow()).C - before.C === 6n * UNIT, {
      timeoutMs: 5_000,
    });
    const after = await channelRow();
    expect(after.C - before.C).toBe(6n * UNIT);
    expect(after.C).toBeLessThanOrEqual(after.S);
  });

  it('ends the stream on a refused top-up, the refusal in the trailers, charging what was written', async () => {
    const before = await channelRow();
    const first = firstStreamBalance(before, STEP);
    const headers = paymentHeaders({
      senderKey,
      sender,
      receiver,
      domain: chain.domain,
      channelId,
      balance: first,
    });
    const answer = await new Promise<Downloaded>((resolve, reject) => {
      const req = request(`${gateway.url}/v1/file?bytes=100000&chunk=1000&slowAfter=2000&id=d`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-ndjson' },
      });
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        // The first proof replayed: not above S, refused BALANCE_STALE.
        req.write(signedLine(first));
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
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
    expect(answer.trailers['rdn-error']).toBe('BALANCE_STALE');
    const receipt = JSON.parse(answer.trailers['rdn-receipt'] as string) as { units: number; cost: string };
    expect(receipt.units).toBe(Math.ceil(answer.body.length / UNIT_BYTES));
    expect(receipt.units).toBeLessThan(4);
    expect((await channelRow()).C - before.C).toBe(BigInt(receipt.units) * UNIT);
  });

  it('refuses a 2xx that is not an event stream on a route metered per event: 502, charged nothing', async () => {
    const before = await channelRow();
    const balance = firstStreamBalance(before, STEP);
    const res = await fetch(`${gateway.url}/v1/events?bytes=5000&id=e`, {
      method: 'POST',
      headers: paymentHeaders({ senderKey, sender, receiver, domain: chain.domain, channelId, balance }),
    });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('STREAM_NOT_EVENT_STREAM');
    expect(res.headers.get('RDN-Cost')).toBe('0');
    expect((await channelRow()).C).toBe(before.C);
  });

  it('publishes events whose charges sum to the charged balance', async () => {
    const { C } = await channelRow();
    const events = await channelEvents((mine) => chargedBy(mine) >= C);
    expect(chargedBy(events)).toBe(C);
  });
});

describe('the client SDK reading a byte-metered download (client.streamBytes)', () => {
  async function read(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  }

  it('tops up from its own byte count and gets the bytes unchanged and the trailer receipt', async () => {
    const before = await channelRow();
    const progress: string[] = [];
    const download = await client.streamBytes(`${gateway.url}/v1/file?bytes=10500&id=sdk-a`, {
      budget: 100n * UNIT,
      onProgress: (event) => progress.push(event.stage),
    });
    expect(download.status).toBe(200);
    const body = await read(download);
    expect(body.equals(bodyBytes(0, 10_500))).toBe(true);
    const receipt = await download.receipt;
    const after = await channelRow();
    expect(receipt).toEqual({
      channelId,
      balance: after.S,
      chargedBalance: after.C,
      cost: 11n * UNIT,
      units: 11,
    });
    expect(download.units).toBe(11);
    expect(after.C - before.C).toBe(11n * UNIT);
    // Half a step ahead: a line after 2, 6 and 10 units. The body ended at unit 11 before the gateway took the
    // third: signed (so counted in spent, and re-used by the next payment) but not accepted.
    expect(progress.filter((stage) => stage === 'top-up')).toHaveLength(3);
    expect(download.spent).toBe(after.S - before.S + STEP);
    expect(after.S - after.C).toBeLessThanOrEqual(STEP);
  });

  it('stops at its budget: the gateway ends the stream when the last step is used up', async () => {
    const before = await channelRow();
    const progress: string[] = [];
    const download = await client.streamBytes(
      `${gateway.url}/v1/file?bytes=1000000&chunk=1000&slowAfter=6000&id=sdk-b`,
      { budget: 2n * STEP, onProgress: (event) => progress.push(event.stage) },
    );
    const body = await read(download);
    const after = await channelRow();
    // The budget bounds what this stream signs; it also used what the gateway already held (S - C before), all of
    // it: the gateway ended the stream when S could pay no further unit, charging exactly the units delivered.
    expect(download.spent).toBeLessThanOrEqual(2n * STEP);
    expect(download.spent).toBe(after.S - before.S);
    expect(progress).toContain('budget-spent');
    expect(after.S - after.C).toBeLessThan(UNIT);
    const units = Number((after.C - before.C) / UNIT);
    expect(body.length).toBe(units * UNIT_BYTES);
    expect(await download.receipt).toMatchObject({ units, cost: BigInt(units) * UNIT });
  });

  it('without a duplex transport (fetch) authorises the budget once and computes the cost from the bytes', async () => {
    const before = await channelRow();
    const download = await client.streamBytes(`${gateway.url}/v1/file?bytes=2500&id=sdk-c`, {
      budget: 5n * STEP,
      transport: fetchStreamTransport(),
    });
    expect((await read(download)).length).toBe(2_500);
    const after = await channelRow();
    expect(after.S - before.S).toBe(5n * STEP - (before.S - before.C));
    expect(await download.receipt).toEqual({
      channelId,
      balance: after.S,
      chargedBalance: after.C,
      cost: 3n * UNIT,
      units: 3,
    });
    expect(after.C - before.C).toBe(3n * UNIT);
  });

  it('refuses to read a route in the wrong unit before signing anything', async () => {
    const before = await channelRow();
    await expect(client.stream(`${gateway.url}/v1/file?id=sdk-d`, { budget: STEP })).rejects.toMatchObject({
      code: 'CHALLENGE_MISMATCH',
      message: expect.stringContaining('read it with streamBytes'),
    });
    await expect(
      client.streamBytes(`${gateway.url}/v1/events?id=sdk-e`, { budget: STEP }),
    ).rejects.toMatchObject({
      code: 'CHALLENGE_MISMATCH',
      message: expect.stringContaining('read it with stream'),
    });
    expect(await channelRow()).toEqual(before);
  });
});
