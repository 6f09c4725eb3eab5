import { parseChallenge, RDN_HEADERS } from '@microraiden/protocol';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EchoedRequest } from '../echo/echo-request';
import { FORTUNES } from '../fortune/fortunes';
import { FIXTURE_ARTICLES_DIR, loadArticleLibrary } from '../wikipaydia/article-library';
import { startPaywalledDemos, type PaywalledDemos } from './paywalled-demos';
import type { Client, PaidResponse } from '@microraiden/client';

const MTK = 10n ** 18n;
const MAX_PRICE = MTK / 100n;

let demos: PaywalledDemos;
let client: Client;
/** What the sender has paid so far: every receipt must show this cumulative balance. */
let paidTotal = 0n;

beforeAll(async () => {
  demos = await startPaywalledDemos({
    rpcUrl: inject('rpcUrl'),
    kafkaBrokers: inject('kafkaBrokers'),
    databaseUrl: inject('databaseUrl'),
  });
  await demos.fx.mint(demos.fx.sender.address, MTK);
  client = await demos.fx.client();
});
afterAll(() => demos?.stop());

/** An unpaid request: must be refused with 402 and a challenge naming `price`. */
async function expectChallenge(path: string, price: bigint, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(`${demos.gatewayUrl}${path}`, init);
  expect(res.status).toBe(402);
  expect(res.headers.get(RDN_HEADERS.error)).toBe('PAYMENT_REQUIRED');
  const challenge = parseChallenge(res.headers);
  expect(challenge.ok && challenge.value.price).toBe(price);
  expect(challenge.ok && challenge.value.receiver).toBe(demos.fx.receiver.address);
  return res;
}

/** Pays for `path` with the SDK and checks that exactly `price` was charged on the one channel. */
async function payFor(path: string, price: bigint, init?: RequestInit): Promise<PaidResponse> {
  const paid = await client.fetch(`${demos.gatewayUrl}${path}`, init, {
    maxPricePerRequest: MAX_PRICE,
    maxDeposit: MTK / 10n,
  });
  expect(paid.response.status).toBe(200);
  paidTotal += price;
  expect(paid.paid).toMatchObject({ amount: price, price, balance: paidTotal });
  return paid;
}

describe('fortune cookies', () => {
  it('asks for payment, then serves the JSON API and the HTML page once paid', async () => {
    const apiPrice = demos.priceOf('GET', '/api/fortune');
    const pagePrice = demos.priceOf('GET', '/fortune');
    await (await expectChallenge('/api/fortune', apiPrice)).text();
    const paywall = await expectChallenge('/fortune', pagePrice, { headers: { accept: 'text/html' } });
    expect(paywall.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await paywall.text()).toContain(pagePrice.toString());

    const api = await payFor('/api/fortune', apiPrice);
    const cookie = (await api.response.json()) as { number: number; fortune: string };
    expect(FORTUNES).toContain(cookie.fortune);

    const page = await payFor('/fortune', pagePrice, { headers: { accept: 'text/html' } });
    expect(page.response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.response.text();
    expect(html).toContain(`Fortune cookie #${cookie.number + 1}`);
    expect(FORTUNES.some((fortune) => html.includes(fortune.replace(/'/g, '&#39;')))).toBe(true);
  });
});

describe('wikipaydia', () => {
  const library = loadArticleLibrary(FIXTURE_ARTICLES_DIR);

  it('serves the index for free and links every article', async () => {
    const res = await fetch(`${demos.gatewayUrl}/wiki/`);
    expect(res.status).toBe(200);
    expect(res.headers.get(RDN_HEADERS.price)).toBeNull();
    const html = await res.text();
    for (const article of library.list()) expect(html).toContain(`href="/wiki/${article.slug}"`);
  });

  it('charges per article, and the links of a paid article lead to articles that can be paid for', async () => {
    const price = demos.priceOf('GET', '/wiki/Payment_channel');
    await (await expectChallenge('/wiki/Payment_channel', price)).text();

    const first = await payFor('/wiki/Payment_channel', price);
    const html = await first.response.text();
    expect(html).toContain('<h1>Payment channel</h1>');
    const links = [...html.matchAll(/href="\/wiki\/([^"#?]+)"/g)].map((match) => match[1]!);
    expect(new Set(links)).toEqual(new Set(library.get('Payment_channel')!.links));
    expect(links.length).toBeGreaterThanOrEqual(2);

    for (const slug of new Set(links)) {
      const linked = await payFor(`/wiki/${slug}`, price);
      expect(await linked.response.text()).toContain(`<h1>${library.get(slug)!.title}</h1>`);
    }
  });
});

describe('echo', () => {
  it('prices per method: a POST costs more than a GET, and each is charged its own price', async () => {
    const getPrice = demos.priceOf('GET', '/echo');
    const postPrice = demos.priceOf('POST', '/echo');
    expect(postPrice).toBeGreaterThan(getPrice);
    await (await expectChallenge('/echo?x=1', getPrice)).text();
    await (await expectChallenge('/echo', postPrice, { method: 'POST' })).text();

    const get = await payFor('/echo?hello=world&n=1&n=2', getPrice);
    expect((await get.response.json()) as EchoedRequest).toEqual({
      method: 'GET',
      path: '/echo',
      query: { hello: 'world', n: ['1', '2'] },
      body: null,
    });

    const post = await payFor('/echo/orders?dry=true', postPrice, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ item: 'cookie', quantity: 2 }),
    });
    expect((await post.response.json()) as EchoedRequest).toEqual({
      method: 'POST',
      path: '/echo/orders',
      query: { dry: 'true' },
      body: { item: 'cookie', quantity: 2 },
    });
  });

  it('refuses a method the routes file does not price, without charging', async () => {
    const res = await fetch(`${demos.gatewayUrl}/echo`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    await res.text();
    const channels = await client.channels();
    expect(channels).toHaveLength(1);
    expect(channels[0]!.balance).toBe(paidTotal);
  });
});
