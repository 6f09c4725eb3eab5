import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startPaywalledDemos, type PaywalledDemos } from '../test/paywalled-demos';
import { runM2mClient } from './m2m-client';

const MTK = 10n ** 18n;

describe('the m2m client example against the real gateway', () => {
  let demos: PaywalledDemos;

  beforeAll(async () => {
    demos = await startPaywalledDemos({
      rpcUrl: inject('rpcUrl'),
      kafkaBrokers: inject('kafkaBrokers'),
      databaseUrl: inject('databaseUrl'),
    });
    await demos.fx.mint(demos.fx.sender.address, MTK);
  });
  afterAll(() => demos?.stop());

  it('pays 20 sequential requests with one 402 handshake and one HTTP request per payment after it', async () => {
    const price = demos.priceOf('GET', '/api/fortune');
    const sent: { paid: boolean; status: number }[] = [];
    const counting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      sent.push({ paid: new Headers(init?.headers).has('RDN-Balance'), status: response.status });
      return response;
    };
    const lines: string[] = [];
    const paid = await runM2mClient({
      client: await demos.fx.client({ fetch: counting }),
      url: `${demos.gatewayUrl}/api/fortune`,
      requests: 20,
      maxPricePerRequest: price,
      maxDeposit: 20n * price,
      log: (line) => lines.push(line),
    });

    expect(paid.map((p) => p?.balance)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i + 1) * price));
    expect(paid.map((p) => p?.amount)).toEqual(Array<bigint>(20).fill(price));
    expect(new Set(paid.map((p) => p?.channelId)).size).toBe(1);
    // One unpaid handshake. The first proof may be answered CHANNEL_NOT_FOUND / _INSUFFICIENT_CONFIRMATIONS and
    // re-sent while the chain-watcher publishes the fresh channel; every later request is exactly one HTTP request.
    expect(sent[0]).toEqual({ paid: false, status: 402 });
    expect(sent.filter((s) => !s.paid)).toHaveLength(1);
    const firstServed = sent.findIndex((s) => s.status === 200);
    expect(sent.slice(1, firstServed).every((s) => s.paid && (s.status === 402 || s.status === 409))).toBe(
      true,
    );
    expect(sent.slice(firstServed)).toEqual(Array(20).fill({ paid: true, status: 200 }));
    expect(paid.map((p) => p?.prepaid)).toEqual([false, ...Array<boolean>(19).fill(true)]);
    expect(lines[3]).toMatch(/prepaid: no 402 round trip/);
  });

  it('re-sends a request body with the prepaid request, and keeps GET and POST prices apart', async () => {
    const client = await demos.fx.client();
    const limits = { maxPricePerRequest: MTK / 100n, maxDeposit: MTK / 10n };
    const post = (text: string) =>
      client.fetch(`${demos.gatewayUrl}/echo?n=${text}`, { method: 'POST', body: text }, limits);
    const first = await post('one');
    const second = await post('two');
    const get = await client.fetch(`${demos.gatewayUrl}/echo`, undefined, limits);
    for (const r of [first, second, get]) expect(r.response.status).toBe(200);
    expect(await second.response.text()).toContain('two');
    expect([first.paid?.prepaid, second.paid?.prepaid, get.paid?.prepaid]).toEqual([false, true, false]);
    expect([second.paid?.amount, get.paid?.amount]).toEqual([
      demos.priceOf('POST', '/echo'),
      demos.priceOf('GET', '/echo'),
    ]);
  });
});
