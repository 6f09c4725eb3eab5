import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aChannelId, aChannelRecord, aTempDir, aTestGateway, OfflineWallet } from '../test/builders';
import type { TestGateway } from '../test/test-gateway';
import { getReceipt, wrapFetch } from './wrap-fetch';

const id = aChannelId();

/** Stands for any library that takes a fetch: it knows nothing about payments. */
async function fetchJson(fetchImpl: typeof fetch, url: string, init?: RequestInit): Promise<unknown> {
  const response = await fetchImpl(url, init);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

describe('wrapFetch', () => {
  let cleanup: () => Promise<void>;
  let wallet: OfflineWallet;
  let gateway: TestGateway;

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = await aTempDir());
    wallet = await OfflineWallet.withChannels(dir, aChannelRecord({ deposit: 100n }));
    gateway = aTestGateway({ price: 5n });
  });
  afterEach(() => cleanup());

  it('is a fetch: a library typed `typeof fetch` gets paid content through it', async () => {
    const paying = wrapFetch(gateway.asFetch(), wallet, { maxPricePerRequest: 10n });
    expect(await fetchJson(paying, 'http://gateway.test/api/weather')).toMatchObject({ city: 'Berlin' });
    expect(await fetchJson(paying, 'http://gateway.test/api/weather')).toMatchObject({ city: 'Berlin' });
    expect(gateway.payments.map((p) => p.balance)).toEqual([5n, 10n]);
  });

  it('returns a plain Response whose receipt getReceipt reads, also from a Request input', async () => {
    const paying = wrapFetch(gateway.asFetch(), wallet, { maxPricePerRequest: 10n });
    const response = await paying(new Request('http://gateway.test/api/weather', { method: 'GET' }));
    expect(response).toBeInstanceOf(Response);
    expect(getReceipt(response)).toEqual({
      channelId: id,
      amount: 5n,
      balance: 5n,
      chargedBalance: 5n,
      price: 5n,
      prepaid: false,
    });
    expect(response.headers.get('RDN-Cost')).toBe('5');
    // A copy of the headers alone still tells the charge.
    const copy = new Response(null, { headers: response.headers });
    expect(getReceipt(copy)).toMatchObject({ channelId: id, amount: 5n, balance: 5n });
  });

  it('has no receipt for a free answer', async () => {
    const paying = wrapFetch(async () => new Response('free'), wallet, { maxPricePerRequest: 10n });
    expect(getReceipt(await paying('http://gateway.test/free'))).toBeUndefined();
  });
});
