import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { privateKeyToAddress, signBalanceProof, type Hex32 } from '@microraiden/protocol';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelCloser } from '../../core/channel-closer';
import { CloseEndpoint } from '../../core/close-endpoint';
import { receiverKeyOf } from '../../core/receiver-key';
import { RouteTable } from '../../core/route-table';
import { aTestPaywall } from '../../testing/test-paywall';
import { Paid, PaywallModule } from './paywall.module';

// anvil's public test keys (aTestPaywall's sender and receiver): never funds of value.
const SENDER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const RECEIVER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const sender = privateKeyToAddress(SENDER_KEY);
const channelId = `0x${'c4'.repeat(32)}` as Hex32;
const routes = new RouteTable([
  { match: { prefix: '/reports/' }, rule: { kind: 'paid', prices: new Map([['GET', 10n]]) } },
]);
const { paywall, store, pay } = aTestPaywall({ channelId, routes, gatewayId: 'nest-close' });
const closer = new ChannelCloser(store, paywall.identity, receiverKeyOf(new Wallet(RECEIVER_KEY)));
// What a PaywallRuntime exposes to the adapters.
const runtime = { paywall, closeEndpoint: new CloseEndpoint(closer, paywall) };

@Controller('reports')
@Paid()
class ReportsController {
  @Get('daily')
  daily() {
    return { report: 'daily' };
  }
}

@Module({ imports: [PaywallModule.forRoot({ paywall: runtime })], controllers: [ReportsController] })
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

describe('PaywallModule.forRoot with a PaywallRuntime (Nest on Fastify)', () => {
  it('answers the close endpoint without a controller; the channel then takes no more payments', async () => {
    expect((await fetch(`${url}/reports/daily`, { headers: pay(10n) })).status).toBe(200);
    const balanceSignature = signBalanceProof(SENDER_KEY, paywall.identity.domain, {
      channelId,
      receiver: paywall.identity.receiver,
      balance: 10n,
    });
    const res = await fetch(`${url}/api/1/channels/${sender}/${channelId}`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ balance: '10', balanceSignature }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ channelId, sender, balance: '10' });
    const after = await fetch(`${url}/reports/daily`, { headers: pay(20n) });
    expect(after.headers.get('rdn-error')).toBe('CHANNEL_CLOSING');
  });

  it('leaves other requests to the routes', async () => {
    expect((await fetch(`${url}/api/1/channels/${sender}`, { method: 'DELETE' })).status).toBe(404);
  });
});
