import 'reflect-metadata';
import { Controller, Get, HttpException, Module, UseFilters, UseInterceptors } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { InMemoryChannelStore, Paywall, RouteTable } from '@microraiden/paywall';
import {
  channelDomain,
  encodePayment,
  parseReceipt,
  privateKeyToAddress,
  signBalanceProof,
  type Hex32,
} from '@microraiden/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYWALL, PaywallInterceptor } from './paywall.interceptor';
import { PaywallResponseFilter } from './paywall-response.filter';

const SENDER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const sender = privateKeyToAddress(SENDER_KEY);
const receiver = privateKeyToAddress('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const domain = channelDomain(31337n, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
const channelId = `0x${'ef'.repeat(32)}` as Hex32;
const store = new InMemoryChannelStore();
store.put({ channelId, sender, receiver, deposit: 1000n });
const paywall = new Paywall({
  identity: { receiver, domain, token: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512', gatewayPath: '/api/1' },
  routes: new RouteTable([
    { match: { prefix: '/reports/' }, rule: { kind: 'paid', prices: new Map([['GET', 10n]]) } },
  ]),
  store,
  gatewayId: 'embedded',
});

@Controller('reports')
@UseInterceptors(PaywallInterceptor)
@UseFilters(PaywallResponseFilter)
class ReportsController {
  @Get('daily')
  daily() {
    return { report: 'daily' };
  }

  @Get('broken')
  broken() {
    throw new HttpException('unavailable', 503);
  }
}

@Module({ controllers: [ReportsController], providers: [{ provide: PAYWALL, useValue: paywall }] })
class EmbeddingModule {}

let app: NestFastifyApplication;
let url: string;

beforeAll(async () => {
  app = await NestFactory.create<NestFastifyApplication>(EmbeddingModule, new FastifyAdapter(), {
    logger: false,
  });
  await app.listen(0, '127.0.0.1');
  url = await app.getUrl();
});

afterAll(() => app.close());

function pay(balance: bigint): Record<string, string> {
  const signature = signBalanceProof(SENDER_KEY, domain, { channelId, receiver, balance });
  return encodePayment({ sender, channelId, balance, signature });
}

describe('PaywallInterceptor in a Nest app', () => {
  it('answers an unpaid request with the challenge without running the handler', async () => {
    const res = await fetch(`${url}/reports/daily`);
    expect(res.status).toBe(402);
    expect(res.headers.get('rdn-price')).toBe('10');
    expect(await res.json()).toMatchObject({ error: { code: 'PAYMENT_REQUIRED' } });
  });

  it('runs the handler for a valid proof and adds the receipt', async () => {
    const res = await fetch(`${url}/reports/daily`, { headers: pay(10n) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ report: 'daily' });
    expect(parseReceipt(res.headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: 10n, cost: 10n },
    });
  });

  it('does not charge when the handler fails with a 5xx', async () => {
    const res = await fetch(`${url}/reports/broken`, { headers: pay(20n) });
    expect(res.status).toBe(503);
    expect(parseReceipt(res.headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: 10n, cost: 0n },
    });
    expect(store.events).toHaveLength(1);
  });

  it('answers a replay with 409 BALANCE_STALE', async () => {
    const res = await fetch(`${url}/reports/daily`, { headers: pay(10n) });
    expect(res.status).toBe(409);
    expect(res.headers.get('rdn-error')).toBe('BALANCE_STALE');
  });
});
