import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeChallenge, isProtocolError, type ChannelView, type Hex32 } from '@microraiden/protocol';
import { isClientError } from '../client-error';
import {
  CHANNEL_MANAGER,
  OfflineWallet,
  RECEIVER,
  SENDER,
  TOKEN,
  aChannelId,
  aChannelRecord,
  aTempDir,
  aTestGateway,
} from '../test/builders';
import type { TestGateway } from '../test/test-gateway';
import { paidFetch, type PaidFetchOptions } from './paid-fetch';

const URL_ = 'http://gateway.test/api/weather';
const id = aChannelId();

describe('paidFetch', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let wallet: OfflineWallet;
  let gateway: TestGateway;

  beforeEach(async () => {
    ({ dir, cleanup } = await aTempDir());
    wallet = await OfflineWallet.withChannels(dir, aChannelRecord({ deposit: 100n }));
    gateway = aTestGateway({ price: 5n });
  });
  afterEach(() => cleanup());

  const options = (overrides: Partial<PaidFetchOptions> = {}): PaidFetchOptions => ({
    wallet,
    maxPricePerRequest: 10n,
    fetch: gateway.asFetch(),
    ...overrides,
  });
  const record = async () => (await wallet.store.read()).channels[id];
  const errorOf = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (e: unknown) => e,
    );

  it('passes a response that is not a 402 through unpaid', async () => {
    const fetch200: typeof fetch = async () => new Response('free', { status: 200 });
    const { response, paid } = await paidFetch(URL_, undefined, options({ fetch: fetch200 }));
    expect([response.status, await response.text(), paid]).toEqual([200, 'free', null]);
    expect(wallet.calls.preparePayment).toBe(0);
  });

  it('refuses a streamed route before signing, naming the reader to use instead', async () => {
    const streamed = (unitBytes?: number): typeof fetch => {
      const challenge = encodeChallenge({
        gatewayPath: '/api/1',
        receiver: RECEIVER,
        channelManager: CHANNEL_MANAGER,
        token: TOKEN,
        price: 10n,
        chainId: 31337n,
        priceMode: 'stream',
        unitPrice: 1n,
        ...(unitBytes === undefined ? {} : { unitBytes }),
      });
      return async () => new Response(null, { status: 402, headers: challenge });
    };
    const events = await errorOf(paidFetch(URL_, undefined, options({ fetch: streamed() })));
    expect(isClientError(events, 'CHALLENGE_MISMATCH') && events.message).toMatch(
      /read it with client\.stream,/,
    );
    const bytes = await errorOf(paidFetch(URL_, undefined, options({ fetch: streamed(65_536) })));
    expect(isClientError(bytes, 'CHALLENGE_MISMATCH') && bytes.message).toMatch(
      /65536 bytes.*client\.streamBytes/,
    );
    expect(wallet.calls.preparePayment).toBe(0);
  });

  it('answers a 402 by paying the price once and reports the receipt', async () => {
    const { response, paid } = await paidFetch(URL_, undefined, options());
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ city: 'Berlin' });
    expect(paid).toEqual({
      channelId: id,
      amount: 5n,
      balance: 5n,
      chargedBalance: 5n,
      price: 5n,
      prepaid: false,
    });
    expect(gateway.payments).toEqual([{ channelId: id, balance: 5n, outcome: 'accepted' }]);
    expect(await record()).toMatchObject({
      signedBalance: 5n,
      acknowledgedBalance: 5n,
      gatewayUrl: 'http://gateway.test/api/1',
    });

    const second = await paidFetch(URL_, undefined, options());
    expect(second.paid).toEqual({
      channelId: id,
      amount: 5n,
      balance: 10n,
      chargedBalance: 10n,
      price: 5n,
      prepaid: true,
    });
    expect(gateway.increments(id)).toBe(2);
  });

  it('refuses a price above maxPricePerRequest without signing anything', async () => {
    const error = await errorOf(paidFetch(URL_, undefined, options({ maxPricePerRequest: 4n })));
    expect(isClientError(error, 'PRICE_TOO_HIGH')).toBe(true);
    expect((error as { details: object }).details).toEqual({ price: '5', maxPrice: '4' });
    expect(wallet.calls).toEqual({ fundChannel: 0, preparePayment: 0, recordReceiverBalance: 0 });
    expect((await record())?.signedBalance).toBe(0n);
    expect(gateway.payments).toEqual([]);
  });

  it.each([
    ['chain id', (h: Headers) => h.set('RDN-Chain-Id', '1')],
    ['channel manager', (h: Headers) => h.set('RDN-Contract-Address', TOKEN)],
    ['token', (h: Headers) => h.set('RDN-Token-Address', CHANNEL_MANAGER)],
  ])('refuses a challenge for another %s without signing', async (field, edit) => {
    const inner = gateway.asFetch();
    const tampered: typeof fetch = async (input, init) => {
      const response = await inner(input, init);
      const headers = new Headers(response.headers);
      edit(headers);
      return new Response(response.body, { status: response.status, headers });
    };
    const error = await errorOf(paidFetch(URL_, undefined, options({ fetch: tampered })));
    expect(isClientError(error, 'CHALLENGE_MISMATCH')).toBe(true);
    expect((error as { details: { field: string } }).details.field).toBe(field);
    expect(wallet.calls.preparePayment).toBe(0);
  });

  it('refuses a 402 without a complete challenge as RESPONSE_MALFORMED', async () => {
    const bare: typeof fetch = async () =>
      new Response('pay me', { status: 402, headers: { 'RDN-Price': '5' } });
    const error = await errorOf(paidFetch(URL_, undefined, options({ fetch: bare })));
    expect(isProtocolError(error, 'RESPONSE_MALFORMED')).toBe(true);
    expect(wallet.calls.preparePayment).toBe(0);
  });

  it('re-sends the same proof after a dropped connection: the gateway charges once', async () => {
    gateway.dropBeforeAccepting = 2;
    const { response, paid } = await paidFetch(URL_, undefined, options());
    expect(response.status).toBe(200);
    expect(gateway.payments.map((p) => [p.balance, p.outcome])).toEqual([
      [5n, 'dropped'],
      [5n, 'dropped'],
      [5n, 'accepted'],
    ]);
    expect(paid?.amount).toBe(5n);
    expect(wallet.calls.preparePayment).toBe(1);
  });

  it('does not pay again when the gateway accepted the proof but the answer was lost', async () => {
    gateway.dropAfterAccepting = 1;
    const error = await errorOf(paidFetch(URL_, undefined, options()));
    expect(isClientError(error, 'PAYMENT_RESPONSE_LOST')).toBe(true);
    expect(gateway.payments.map((p) => [p.balance, p.outcome])).toEqual([
      [5n, 'accepted'],
      [5n, 'BALANCE_STALE'],
    ]);
    expect((await record())?.acknowledgedBalance).toBe(5n);
    // The next request pays one price more, not two.
    expect((await paidFetch(URL_, undefined, options())).paid).toMatchObject({ amount: 5n, balance: 10n });
  });

  it('gives up with NETWORK_ERROR after the retries and re-sends that proof on the next request', async () => {
    gateway.dropBeforeAccepting = 3;
    const error = await errorOf(paidFetch(URL_, undefined, options({ networkRetries: 2 })));
    expect(isClientError(error, 'NETWORK_ERROR')).toBe(true);
    const { paid } = await paidFetch(URL_, undefined, options());
    expect(paid).toMatchObject({ amount: 5n, balance: 5n });
    expect(new Set(gateway.payments.map((p) => p.balance))).toEqual(new Set([5n]));
    expect(gateway.increments(id)).toBe(1);
  });

  it('re-syncs once to the balance a BALANCE_STALE receipt reports', async () => {
    gateway.accepted.set(id, 40n);
    const { paid } = await paidFetch(URL_, undefined, options());
    expect(paid).toEqual({
      channelId: id,
      amount: 5n,
      balance: 45n,
      chargedBalance: 45n,
      price: 5n,
      prepaid: false,
    });
    expect(gateway.payments.map((p) => [p.balance, p.outcome])).toEqual([
      [5n, 'BALANCE_STALE'],
      [45n, 'accepted'],
    ]);
  });

  it('re-syncs only once: a second BALANCE_STALE is PAYMENT_REFUSED', async () => {
    const inner = gateway.asFetch();
    const racing: typeof fetch = async (input, init) => {
      // Another device keeps paying on the same channel just before each of ours.
      if (new Headers(init?.headers).has('RDN-Balance'))
        gateway.accepted.set(id, (gateway.accepted.get(id) ?? 0n) + 50n);
      return inner(input, init);
    };
    const error = await errorOf(paidFetch(URL_, undefined, options({ fetch: racing })));
    expect(isClientError(error, 'PAYMENT_REFUSED')).toBe(true);
    expect((error as { details: object }).details).toMatchObject({
      gatewayCode: 'BALANCE_STALE',
      status: 409,
    });
    expect(gateway.payments.filter((p) => p.outcome === 'BALANCE_STALE')).toHaveLength(2);
  });

  it('takes a raised price from INCREMENT_BELOW_PRICE when it is within the limit', async () => {
    const inner = gateway.asFetch();
    const raising: typeof fetch = async (input, init) => {
      if (new Headers(init?.headers).has('RDN-Balance')) gateway.price = 8n;
      return inner(input, init);
    };
    const { paid } = await paidFetch(URL_, undefined, options({ fetch: raising }));
    expect(paid).toEqual({
      channelId: id,
      amount: 8n,
      balance: 8n,
      chargedBalance: 8n,
      price: 8n,
      prepaid: false,
    });
    expect(gateway.payments.map((p) => p.outcome)).toEqual(['INCREMENT_BELOW_PRICE', 'accepted']);
  });

  it('refuses a price raised above the limit during INCREMENT_BELOW_PRICE', async () => {
    const inner = gateway.asFetch();
    const raising: typeof fetch = async (input, init) => {
      if (new Headers(init?.headers).has('RDN-Balance')) gateway.price = 50n;
      return inner(input, init);
    };
    const error = await errorOf(paidFetch(URL_, undefined, options({ fetch: raising })));
    expect(isClientError(error, 'PRICE_TOO_HIGH')).toBe(true);
    expect((await record())?.signedBalance).toBe(5n);
  });

  it('reports nothing paid when the upstream failed, and re-sends that proof next time', async () => {
    gateway.upstreamStatus = 502;
    const failed = await paidFetch(URL_, undefined, options());
    expect([failed.response.status, failed.paid]).toEqual([502, null]);
    gateway.upstreamStatus = 200;
    const { paid } = await paidFetch(URL_, undefined, options());
    expect(paid).toMatchObject({ amount: 5n, balance: 5n });
    expect(gateway.payments.map((p) => [p.balance, p.outcome])).toEqual([
      [5n, 'upstream failed'],
      [5n, 'accepted'],
    ]);
  });

  it('waits (Retry-After) while the gateway does not see the channel yet, re-sending the same proof', async () => {
    let lookups = 0;
    const view: ChannelView = {
      sender: SENDER,
      receiver: RECEIVER,
      deposit: 100n,
      state: 'open',
      confirmations: 1,
    };
    gateway = aTestGateway({
      price: 5n,
      view: (channelId: Hex32) => (++lookups <= 2 || channelId !== id ? undefined : view),
    });
    const { paid } = await paidFetch(URL_, undefined, options());
    expect(paid?.balance).toBe(5n);
    expect(gateway.payments.map((p) => [p.balance, p.outcome])).toEqual([
      [5n, 'CHANNEL_NOT_FOUND'],
      [5n, 'CHANNEL_NOT_FOUND'],
      [5n, 'accepted'],
    ]);
  });

  it('replays a streamed request body byte for byte on the paid retry', async () => {
    const seen: string[] = [];
    const inner = gateway.asFetch();
    const recording: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      seen.push(await request.clone().text());
      return inner(request);
    };
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"city":'));
        controller.enqueue(new TextEncoder().encode('"Berlin"}'));
        controller.close();
      },
    });
    const init = { method: 'POST', body: stream, duplex: 'half' } as RequestInit;
    const { response } = await paidFetch(URL_, init, options({ fetch: recording }));
    expect(seen).toEqual(['{"city":"Berlin"}', '{"city":"Berlin"}']);
    expect(await response.json()).toMatchObject({ method: 'POST', echo: '{"city":"Berlin"}' });
  });

  it('refuses a streamed body larger than maxBufferedBodyBytes before sending anything', async () => {
    let requests = 0;
    const counting: typeof fetch = async () => (requests++, new Response(null, { status: 500 }));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(600));
        controller.enqueue(new Uint8Array(600));
        controller.close();
      },
    });
    const init = { method: 'POST', body: stream, duplex: 'half' } as RequestInit;
    const error = await errorOf(
      paidFetch(URL_, init, options({ fetch: counting, maxBufferedBodyBytes: 1000 })),
    );
    expect(isClientError(error, 'BODY_NOT_REPLAYABLE')).toBe(true);
    expect(requests).toBe(0);
  });

  it('refuses to open a channel when maxDeposit allows none', async () => {
    const empty = await OfflineWallet.withChannels(dir);
    const error = await errorOf(paidFetch(URL_, undefined, options({ wallet: empty })));
    expect(isClientError(error, 'NO_SUITABLE_CHANNEL')).toBe(true);
    expect(empty.calls.preparePayment).toBe(0);
  });

  it('serialises concurrent paid requests to one receiver: no overlapping increments', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => paidFetch(URL_, undefined, options())));
    expect(results.map((r) => r.paid?.balance).sort((a, b) => Number(a! - b!))).toEqual([
      5n,
      10n,
      15n,
      20n,
      25n,
    ]);
    expect(gateway.payments.every((p) => p.outcome === 'accepted')).toBe(true);
  });
});
