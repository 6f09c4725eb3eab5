import 'reflect-metadata';
import { request as httpRequest } from 'node:http';
import { Controller, Get, HttpException, Module, UseFilters, UseInterceptors } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { RouteTable } from '@microraiden/paywall';
import { aTestPaywall } from '@microraiden/paywall/testing';
import { parseReceipt, type Hex32 } from '@microraiden/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYWALL, PaywallInterceptor } from './paywall.interceptor';
import { PaywallResponseFilter } from './paywall-response.filter';

const channelId = `0x${'ef'.repeat(32)}` as Hex32;
const { paywall, store, pay } = aTestPaywall({
  channelId,
  routes: new RouteTable([
    { match: { prefix: '/reports/' }, rule: { kind: 'paid', prices: new Map([['GET', 10n]]) } },
  ]),
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

  it('counts a payment header repeated with the same value once (fetch would join the repeat)', async () => {
    const lines = Object.entries(pay(30n));
    const signature = lines.find(([name]) => name === 'RDN-Balance-Signature')!;
    const headers = [['Host', new URL(url).host], ...lines, signature].flat();
    const status = await new Promise<number | undefined>((resolve, reject) => {
      httpRequest(`${url}/reports/daily`, { headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(200);
  });
});
