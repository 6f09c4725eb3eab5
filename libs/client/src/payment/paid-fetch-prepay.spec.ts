import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isClientError } from '../client-error';
import { OfflineWallet, aChannelId, aChannelRecord, aTempDir, aTestGateway } from '../test/builders';
import type { TestGateway } from '../test/test-gateway';
import { paidFetch, type PaidFetchOptions, type PaidFetchProgress } from './paid-fetch';

const BASE = 'http://gateway.test';
const WEATHER = `${BASE}/api/weather`;
const id = aChannelId();

/** One HTTP request as it reached the gateway. */
interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly paid: boolean;
  readonly body: string;
}

describe('paidFetch with a remembered challenge (prepay)', () => {
  let cleanup: () => Promise<void>;
  let wallet: OfflineWallet;
  let gateway: TestGateway;
  let seen: SeenRequest[];
  /** Rewrites a request before the gateway sees it (default: none). */
  let tamper: (request: Request) => Request;

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = await aTempDir());
    wallet = await OfflineWallet.withChannels(dir, aChannelRecord({ deposit: 1_000n }));
    gateway = aTestGateway({ price: 5n });
    seen = [];
    tamper = (request) => request;
  });
  afterEach(() => cleanup());

  const counting: typeof fetch = async (input, init) => {
    const inner = gateway.asFetch();
    const request = tamper(new Request(input, init));
    seen.push({
      method: request.method,
      url: request.url,
      paid: request.headers.has('RDN-Balance'),
      body: await request.clone().text(),
    });
    return inner(request);
  };
  const options = (overrides: Partial<PaidFetchOptions> = {}): PaidFetchOptions => ({
    wallet,
    maxPricePerRequest: 10n,
    fetch: counting,
    ...overrides,
  });
  /** Runs one paidFetch and returns it with the HTTP requests it sent. */
  const measured = async (url: string, init?: RequestInit, overrides: Partial<PaidFetchOptions> = {}) => {
    const before = seen.length;
    const result = await paidFetch(url, init, options(overrides));
    return { ...result, requests: seen.slice(before) };
  };
  const outcomes = () => gateway.payments.map((p) => [p.balance, p.outcome]);

  it('sends the second request to the same resource as one paid request', async () => {
    const first = await measured(WEATHER);
    expect(first.requests.map((r) => r.paid)).toEqual([false, true]);
    expect(first.paid).toMatchObject({ balance: 5n, prepaid: false });

    const progress: PaidFetchProgress[] = [];
    const second = await measured(WEATHER, undefined, { onProgress: (e) => progress.push(e) });
    expect(second.requests.map((r) => r.paid)).toEqual([true]);
    expect(second.response.status).toBe(200);
    expect(await second.response.json()).toMatchObject({ city: 'Berlin' });
    expect(second.paid).toEqual({
      channelId: id,
      amount: 5n,
      balance: 10n,
      chargedBalance: 10n,
      price: 5n,
      prepaid: true,
    });
    expect(progress).toMatchObject([
      { stage: 'challenge', remembered: true },
      { stage: 'paying', balance: 10n, prepaid: true },
    ]);
    expect([gateway.challenges, gateway.increments(id)]).toEqual([1, 2]);
    expect((await wallet.store.read()).channels[id]).toMatchObject({
      signedBalance: 10n,
      acknowledgedBalance: 10n,
    });
  });

  it('shares the challenge between query strings of one path, not between paths or methods', async () => {
    await measured(`${WEATHER}?city=Berlin`);
    expect((await measured(`${WEATHER}?city=Paris`)).requests).toHaveLength(1);
    expect((await measured(WEATHER)).requests).toHaveLength(1);
    expect((await measured(`${BASE}/api/forecast`)).requests).toHaveLength(2);
    expect((await measured(WEATHER, { method: 'POST', body: 'x' })).requests).toHaveLength(2);
    expect((await measured(`${BASE}/api/forecast?days=3`)).requests).toHaveLength(1);
    expect(gateway.increments(id)).toBe(6);
    expect(gateway.challenges).toBe(3);
  });

  it('recovers from a raised price and charges the new price once', async () => {
    await measured(WEATHER);
    gateway.price = 8n;
    const raised = await measured(WEATHER);
    expect(raised.requests).toHaveLength(2);
    expect(raised.paid).toEqual({
      channelId: id,
      amount: 8n,
      balance: 13n,
      chargedBalance: 13n,
      price: 8n,
      prepaid: true,
    });
    expect(outcomes()).toEqual([
      [5n, 'accepted'],
      [10n, 'INCREMENT_BELOW_PRICE'],
      [13n, 'accepted'],
    ]);
    // The reply carried the new price: the next request pays it right away.
    const next = await measured(WEATHER);
    expect(next.requests).toHaveLength(1);
    expect(next.paid).toMatchObject({ amount: 8n, balance: 21n, prepaid: true });
  });

  it('refuses a price raised above maxPricePerRequest, then starts over with the handshake', async () => {
    await measured(WEATHER);
    gateway.price = 50n;
    const error = await paidFetch(WEATHER, undefined, options()).catch((e: unknown) => e);
    expect(isClientError(error, 'PRICE_TOO_HIGH')).toBe(true);
    expect(outcomes()).toEqual([
      [5n, 'accepted'],
      [10n, 'INCREMENT_BELOW_PRICE'],
    ]);
    gateway.price = 5n;
    const next = await measured(WEATHER);
    expect(next.requests.map((r) => r.paid)).toEqual([false, true]);
    // The refused proof is re-sent: one price over the last accepted balance, not two.
    expect(next.paid).toMatchObject({ amount: 5n, balance: 10n });
  });

  it('learns a lowered price from the paid reply', async () => {
    await measured(WEATHER);
    gateway.price = 3n;
    // Sent at the remembered price: the gateway accepts any increment of at least its price.
    expect((await measured(WEATHER)).paid).toMatchObject({ amount: 5n, balance: 10n });
    const next = await measured(WEATHER);
    expect(next.requests).toHaveLength(1);
    expect(next.paid).toMatchObject({ amount: 3n, balance: 13n, prepaid: true });
  });

  it('re-syncs once after BALANCE_STALE on the prepaid request', async () => {
    await measured(WEATHER);
    gateway.accepted.set(id, 40n);
    const stale = await measured(WEATHER);
    expect(stale.requests.map((r) => r.paid)).toEqual([true, true]);
    expect(stale.paid).toEqual({
      channelId: id,
      amount: 5n,
      balance: 45n,
      chargedBalance: 45n,
      price: 5n,
      prepaid: true,
    });
    expect(outcomes().slice(1)).toEqual([
      [10n, 'BALANCE_STALE'],
      [45n, 'accepted'],
    ]);
  });

  it('re-sends a streamed body on the retry after a prepaid request', async () => {
    const post = () => {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"city":'));
          controller.enqueue(new TextEncoder().encode('"Oslo"}'));
          controller.close();
        },
      });
      return { method: 'POST', body: stream, duplex: 'half' } as RequestInit;
    };
    await measured(WEATHER, post());
    gateway.accepted.set(id, 40n);
    const { requests, response } = await measured(WEATHER, post());
    expect(requests.map((r) => [r.method, r.paid, r.body])).toEqual([
      ['POST', true, '{"city":"Oslo"}'],
      ['POST', true, '{"city":"Oslo"}'],
    ]);
    expect(await response.json()).toMatchObject({ method: 'POST', echo: '{"city":"Oslo"}' });
  });

  it('with prepay: false sends every request unpaid first, as before', async () => {
    await measured(WEATHER, undefined, { prepay: false });
    const second = await measured(WEATHER, undefined, { prepay: false });
    expect(second.requests.map((r) => r.paid)).toEqual([false, true]);
    expect(second.paid).toMatchObject({ balance: 10n, prepaid: false });
    expect(gateway.challenges).toBe(2);
  });

  it('falls back to the handshake on a plain 402 and re-sends the unaccepted proof, paying once', async () => {
    await measured(WEATHER);
    // A gateway (or proxy) that no longer reads the payment: it answers the prepaid request with a challenge.
    tamper = (request) => {
      tamper = (r) => r;
      const headers = new Headers(request.headers);
      for (const name of ['RDN-Balance', 'RDN-Balance-Signature', 'RDN-Channel-Id', 'RDN-Sender-Address'])
        headers.delete(name);
      return new Request(request, { headers });
    };
    const fallback = await measured(WEATHER);
    expect(fallback.paid).toMatchObject({ amount: 5n, balance: 10n, prepaid: false });
    expect(outcomes()).toEqual([
      [5n, 'accepted'],
      [10n, 'accepted'],
    ]);
    expect(wallet.calls.preparePayment).toBe(3);
    expect((await measured(WEATHER)).requests).toHaveLength(1);
  });

  it('lets a fresh challenge decide when the remembered price is above a lowered maxPricePerRequest', async () => {
    await measured(WEATHER);
    const before = seen.length;
    const error = await paidFetch(WEATHER, undefined, options({ maxPricePerRequest: 4n })).catch((e) => e);
    expect(isClientError(error, 'PRICE_TOO_HIGH')).toBe(true);
    expect(seen.slice(before).map((r) => r.paid)).toEqual([false]);
    expect(gateway.payments).toHaveLength(1);
  });

  it('forgets the challenge after a failure: the next request starts with the handshake', async () => {
    await measured(WEATHER);
    gateway.dropBeforeAccepting = 3;
    const error = await paidFetch(WEATHER, undefined, options({ networkRetries: 2 })).catch((e) => e);
    expect(isClientError(error, 'NETWORK_ERROR')).toBe(true);
    const next = await measured(WEATHER);
    expect(next.requests.map((r) => r.paid)).toEqual([false, true]);
    // The proof the network lost is re-sent, not a new one on top of it.
    expect(next.paid).toMatchObject({ amount: 5n, balance: 10n });
  });

  it('does not remember a free resource, nor one whose paid answer had no receipt', async () => {
    const free: typeof fetch = async (input, init) => {
      seen.push({
        method: 'GET',
        url: String(input),
        paid: new Headers(init?.headers).has('RDN-Balance'),
        body: '',
      });
      return new Response('free', { status: 200 });
    };
    await measured(WEATHER, undefined, { fetch: free });
    await measured(WEATHER, undefined, { fetch: free });
    expect(seen.map((r) => r.paid)).toEqual([false, false]);
    expect(wallet.calls.preparePayment).toBe(0);

    await measured(WEATHER);
    // The route became free: the gateway serves it and ignores the payment.
    expect((await measured(WEATHER, undefined, { fetch: free })).requests.map((r) => r.paid)).toEqual([true]);
    expect((await measured(WEATHER, undefined, { fetch: free })).requests.map((r) => r.paid)).toEqual([
      false,
    ]);
  });

  it('keeps one remembered challenge per wallet', async () => {
    await measured(WEATHER);
    const temp = await aTempDir();
    try {
      const other = await OfflineWallet.withChannels(temp.dir, aChannelRecord({ deposit: 1_000n }));
      const fresh = await measured(WEATHER, undefined, { wallet: other });
      // Its own handshake; on the shared channel id the gateway then re-syncs it (BALANCE_STALE).
      expect(fresh.requests.map((r) => r.paid)).toEqual([false, true, true]);
    } finally {
      await temp.cleanup();
    }
  });
});
