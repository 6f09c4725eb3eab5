import 'reflect-metadata';
import { request as httpRequest } from 'node:http';
import {
  Controller,
  Get,
  Header,
  HttpException,
  Module,
  Res,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseReceipt, parseX402Response, type Hex32 } from '@microraiden/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouteTable } from '../../core/route-table';
import { aTestPaywall } from '../../testing/test-paywall';
import { PaywallInterceptor } from './paywall.interceptor';
import { Paid, PaywallModule } from './paywall.module';
import { PaywallResponseFilter } from './paywall-response.filter';

const channelId = `0x${'ef'.repeat(32)}` as Hex32;
const { paywall, store, pay, payX402 } = aTestPaywall({
  channelId,
  routes: new RouteTable([
    { match: { prefix: '/reports/' }, rule: { kind: 'paid', prices: new Map([['GET', 10n]]) } },
    { match: { prefix: '/by-hand/' }, rule: { kind: 'paid', prices: new Map([['GET', 10n]]) } },
    { match: { prefix: '/metered/' }, rule: { kind: 'metered', maxPrice: 50n } },
  ]),
  gatewayId: 'embedded',
});

@Controller('reports')
@Paid()
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

// The wiring without the decorator, as apps of the gateway's `src/embed` had it.
@Controller('by-hand')
@UseInterceptors(PaywallInterceptor)
@UseFilters(PaywallResponseFilter)
class ByHandController {
  @Get('x')
  x() {
    return { x: 1 };
  }
}

@Controller('open')
class OpenController {
  @Get()
  open() {
    return { open: true };
  }
}

// A metered route reporting its cost in the RDN-Charge header, which Fastify's reply keeps until it sends.
@Controller('metered')
@Paid()
class MeteredController {
  @Get('declared')
  @Header('RDN-Charge', '7')
  declared() {
    return { cost: 7 };
  }

  @Get('set')
  set(@Res({ passthrough: true }) reply: { header(name: string, value: string): unknown }) {
    reply.header('RDN-Charge', '8');
    return { cost: 8 };
  }
}

@Module({
  imports: [PaywallModule.forRoot({ paywall })],
  controllers: [ReportsController, ByHandController, OpenController, MeteredController],
})
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

describe('@microraiden/paywall/nest in a Nest app on Fastify', () => {
  it('answers an unpaid request with the challenge without running the handler', async () => {
    const res = await fetch(`${url}/reports/daily`);
    expect(res.status).toBe(402);
    expect(res.headers.get('rdn-price')).toBe('10');
    expect(await res.json()).toMatchObject({ error: { code: 'PAYMENT_REQUIRED' } });
    expect((await fetch(`${url}/by-hand/x`)).status).toBe(402);
  });

  it('leaves routes without @Paid() alone', async () => {
    const res = await fetch(`${url}/open`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ open: true });
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

  it('charges a payment made with PAYMENT-SIGNATURE once and answers PAYMENT-RESPONSE', async () => {
    const before = store.events.length;
    const res = await fetch(`${url}/by-hand/x`, { headers: payX402(100n) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ x: 1 });
    expect(parseX402Response(res.headers)).toMatchObject({
      ok: true,
      value: { success: true, extra: { channelId, senderBalance: 100n } },
    });
    const replay = await fetch(`${url}/reports/daily`, { headers: payX402(100n) });
    expect(replay.status).toBe(402);
    expect(replay.headers.get('rdn-error')).toBe('BALANCE_STALE');
    expect(store.events).toHaveLength(before + 1);
  });

  it('answers a CORS preflight for the payment headers and exposes the answer headers cross-origin', async () => {
    const preflight = await fetch(`${url}/reports/daily`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'payment-signature',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/PAYMENT-SIGNATURE/);
    const unpaid = await fetch(`${url}/reports/daily`, { headers: { origin: 'https://app.example' } });
    expect(unpaid.status).toBe(402);
    expect(unpaid.headers.get('access-control-allow-origin')).toBe('*');
    expect(unpaid.headers.get('access-control-expose-headers')).toMatch(/PAYMENT-REQUIRED/);
    const broken = await fetch(`${url}/reports/broken`, {
      headers: { ...payX402(200n), origin: 'https://app.example' },
    });
    expect(broken.status).toBe(503);
    expect(broken.headers.get('access-control-expose-headers')).toMatch(/PAYMENT-RESPONSE/);
  });

  it("charges a metered route what its RDN-Charge header reports, on Fastify's reply too, and never sends it", async () => {
    const before = store.channels.get(channelId)!;
    const declared = await fetch(`${url}/metered/declared`, { headers: pay(before.acceptedBalance + 50n) });
    expect(declared.status).toBe(200);
    expect(declared.headers.get('rdn-charge')).toBeNull();
    expect(declared.headers.get('rdn-cost')).toBe('7');
    const middle = store.channels.get(channelId)!;
    expect(middle.chargedBalance - before.chargedBalance).toBe(7n);
    const set = await fetch(`${url}/metered/set`, { headers: pay(middle.acceptedBalance + 50n) });
    expect(set.status).toBe(200);
    expect(set.headers.get('rdn-charge')).toBeNull();
    expect(set.headers.get('rdn-cost')).toBe('8');
    expect(store.channels.get(channelId)!.chargedBalance - middle.chargedBalance).toBe(8n);
  });
});
