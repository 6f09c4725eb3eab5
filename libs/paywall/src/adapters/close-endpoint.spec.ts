import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  privateKeyToAddress,
  recoverClosingProofSigner,
  signBalanceProof,
  type Hex,
  type Hex32,
} from '@microraiden/protocol';
import { Wallet } from 'ethers';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelCloser } from '../core/channel-closer';
import { CloseEndpoint, matchClosePath } from '../core/close-endpoint';
import { paywallPlugin } from './fastify/paywall-plugin';
import { paywallFetchHandler } from './paywall-fetch-handler';
import { paywallMiddleware } from './paywall-middleware';
import { receiverKeyOf } from '../core/receiver-key';
import { RouteTable } from '../core/route-table';
import { aTestPaywall } from '../testing/test-paywall';

// anvil's public test keys (aTestPaywall's sender and receiver): never funds of value.
const SENDER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const RECEIVER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const sender = privateKeyToAddress(SENDER_KEY);

const routes = () =>
  new RouteTable([{ match: { prefix: '/paid/' }, rule: { kind: 'paid', prices: new Map([['*', 10n]]) } }]);

/** A paywall over one channel (deposit 1000) and its close endpoint, as a PaywallRuntime exposes them. */
function aClosablePaywall(channelId: Hex32) {
  const test = aTestPaywall({ channelId, routes: routes(), gatewayId: 'close-test' });
  const { identity } = test.paywall;
  const closer = new ChannelCloser(test.store, identity, receiverKeyOf(new Wallet(RECEIVER_KEY)));
  const source = { paywall: test.paywall, closeEndpoint: new CloseEndpoint(closer, test.paywall) };
  const signed = (balance: bigint) => ({
    balance: balance.toString(),
    balanceSignature: signBalanceProof(SENDER_KEY, identity.domain, {
      channelId,
      receiver: identity.receiver,
      balance,
    }),
  });
  return { ...test, source, signed, identity };
}

describe('matchClosePath', () => {
  it('matches DELETE {gatewayPath}/channels/{sender}/{channelId} only', () => {
    expect(matchClosePath('/api/1', 'DELETE', '/api/1/channels/0xa/0xb')).toEqual({
      sender: '0xa',
      channelId: '0xb',
    });
    expect(matchClosePath('/api/1/', 'delete', '/api/1/channels/0xa/0xb')).toEqual({
      sender: '0xa',
      channelId: '0xb',
    });
    expect(matchClosePath('/', 'DELETE', '/channels/0xa/0xb')).toEqual({ sender: '0xa', channelId: '0xb' });
    expect(matchClosePath('/api/1', 'GET', '/api/1/channels/0xa/0xb')).toBeUndefined();
    expect(matchClosePath('/api/1', 'DELETE', '/api/1/channels/0xa')).toBeUndefined();
    expect(matchClosePath('/api/1', 'DELETE', '/api/1/channels/0xa/0xb/c')).toBeUndefined();
    expect(matchClosePath('/api/1', 'DELETE', '/api/1/channels/0xa/')).toBeUndefined();
    expect(matchClosePath('/api/1', 'DELETE', '/api/10/channels/0xa/0xb')).toBeUndefined();
  });
});

describe('the close endpoint in paywallFetchHandler', () => {
  const channelId = `0x${'c1'.repeat(32)}` as Hex32;
  const { source, signed, pay, identity, paywall } = aClosablePaywall(channelId);
  const handle = paywallFetchHandler(source);
  const app = async () => Response.json({ served: true });
  const closeUrl = `http://shop.example/api/1/channels/${sender}/${channelId}`;

  it('signs the last accepted balance, then the channel takes no more payments', async () => {
    const paid = await handle(new Request('http://shop.example/paid/a', { headers: pay(10n) }), app);
    expect(paid.status).toBe(200);

    const res = await handle(
      new Request(closeUrl, { method: 'DELETE', body: JSON.stringify(signed(10n)) }),
      app,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { balance: string; closingSignature: Hex; receiver: string };
    expect(body).toMatchObject({ channelId, sender, receiver: identity.receiver, balance: '10' });
    const proof = { channelId, sender, balance: 10n };
    expect(recoverClosingProofSigner(identity.domain, proof, body.closingSignature)).toEqual({
      ok: true,
      value: identity.receiver,
    });

    const after = await handle(new Request('http://shop.example/paid/a', { headers: pay(20n) }), app);
    expect(after.headers.get('rdn-error')).toBe('CHANNEL_CLOSING');
  });

  it('refuses another balance with 409 CLOSE_BALANCE_MISMATCH and the challenge', async () => {
    const res = await handle(
      new Request(closeUrl, { method: 'DELETE', body: JSON.stringify(signed(5n)) }),
      app,
    );
    expect(res.status).toBe(409);
    expect(res.headers.get('rdn-error')).toBe('CLOSE_BALANCE_MISMATCH');
    expect(res.headers.get('rdn-gateway-path')).toBe('/api/1');
  });

  it('is not answered by a bare Paywall (no key to sign with): the route table decides', async () => {
    const res = await paywallFetchHandler(paywall)(new Request(closeUrl, { method: 'DELETE' }), app);
    expect(res.headers.get('rdn-error')).toBeNull();
    expect(res.status).toBe(404);
  });
});

describe('the close endpoint in paywallMiddleware', () => {
  const channelId = `0x${'c2'.repeat(32)}` as Hex32;
  const { source, signed } = aClosablePaywall(channelId);
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const middleware = paywallMiddleware(source);
    server = createServer((req, res) => middleware(req, res, () => res.writeHead(418).end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/1/channels/${sender}/${channelId}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads balance and signature from the raw JSON body, or from the query', async () => {
    const fromBody = await fetch(url, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(signed(0n)),
    });
    expect(fromBody.status).toBe(200);
    expect(await fromBody.json()).toMatchObject({ channelId, balance: '0' });
    const fromQuery = await fetch(`${url}?${new URLSearchParams(signed(0n)).toString()}`, {
      method: 'DELETE',
    });
    expect(fromQuery.status).toBe(200);
  });

  it('answers missing parts with 400 PAYMENT_MALFORMED without calling the application', async () => {
    const res = await fetch(url, { method: 'DELETE' });
    expect(res.status).toBe(400);
    expect(res.headers.get('rdn-error')).toBe('PAYMENT_MALFORMED');
  });
});

describe('the close endpoint in the Fastify plugin', () => {
  const channelId = `0x${'c3'.repeat(32)}` as Hex32;
  const { source, signed } = aClosablePaywall(channelId);
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    app = Fastify();
    await app.register(paywallPlugin, { paywall: source });
    // No route for the close path: the plugin answers it in onRequest, before routing and body parsing.
    url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/api/1/channels/${sender}/${channelId}`;
  });
  afterAll(() => app.close());

  it('signs from the JSON body, and refuses another balance with 409', async () => {
    const init = (balance: bigint): RequestInit => ({
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(signed(balance)),
    });
    const mismatch = await fetch(url, init(3n));
    expect(mismatch.status).toBe(409);
    expect(mismatch.headers.get('rdn-error')).toBe('CLOSE_BALANCE_MISMATCH');
    const res = await fetch(url, init(0n));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ channelId, sender, balance: '0' });
  });
});
