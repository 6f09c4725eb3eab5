import 'reflect-metadata';
import { Readable } from 'node:stream';
import type { ServerResponse } from 'node:http';
import {
  Controller,
  type MessageEvent,
  Module,
  Post,
  Res,
  Sse,
  StreamableFile,
  Get,
  Query,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Hex32 } from '@microraiden/protocol';
import { interval, map, type Observable, take } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouteTable } from '../../core/route-table';
import { aTestPaywall } from '../../testing/test-paywall';
import { receiptIn, streamOver, tokenEvents, tokensIn } from '../../stream/test/duplex-client';
import { Paid, PaywallModule } from './paywall.module';

const channelId = `0x${'5f'.repeat(32)}` as Hex32;
// 2 per token, 3 tokens a step: one step = 6.
const { paywall, store, pay } = aTestPaywall({
  channelId,
  routes: new RouteTable([
    { match: { prefix: '/complete/' }, rule: { kind: 'stream', stream: { unitPrice: 2n, unitsPerStep: 3 } } },
  ]),
  gatewayId: 'nest-stream',
});

@Controller('complete')
@Paid()
class CompletionController {
  /** Nest's own SSE: each MessageEvent with data is a unit. */
  @Sse('sse')
  sse(@Query('tokens') tokens = '10'): Observable<MessageEvent> {
    return interval(2).pipe(
      take(Number(tokens)),
      map((i) => ({ type: 'token', data: { i } })),
    );
  }

  /** A StreamableFile of SSE text (a Readable that pauses when the meter does). */
  @Post('file')
  file(@Query('tokens') tokens = '10'): StreamableFile {
    return new StreamableFile(Readable.from(tokenEvents(Number(tokens))), { type: 'text/event-stream' });
  }

  /** Writes to the raw response (`@Res()`), honouring write's return value and drain. */
  @Get('raw')
  async raw(@Res() reply: { raw: ServerResponse }, @Query('tokens') tokens = '10'): Promise<void> {
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for await (const event of tokenEvents(Number(tokens))) {
      if (res.writableEnded || res.destroyed) break;
      if (!res.write(event)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  }
}

@Module({
  imports: [PaywallModule.forRoot({ paywall, streamTopUpTimeoutMs: 300 })],
  controllers: [CompletionController],
})
class StreamingModule {}

let app: NestFastifyApplication;
let url: string;

beforeAll(async () => {
  app = await NestFactory.create<NestFastifyApplication>(StreamingModule, new FastifyAdapter(), {
    logger: false,
  });
  await app.listen(0, '127.0.0.1');
  url = await app.getUrl();
});
afterAll(() => app.close());

const row = () => store.channels.get(channelId)!;

describe('@Paid() on a streamed route (Nest on Fastify)', () => {
  it('challenges with one step and the unit price, without running the handler', async () => {
    const res = await fetch(`${url}/complete/sse`);
    expect(res.status).toBe(402);
    expect(res.headers.get('rdn-price')).toBe('6');
    expect(res.headers.get('rdn-price-mode')).toBe('stream');
  });

  it("meters an @Sse() handler's events on top-up lines and charges exactly the tokens delivered", async () => {
    const { status, headers, events } = await streamOver(`${url}/complete/sse?tokens=10`, pay, 6n, {
      method: 'GET',
      topUps: 5,
    });
    expect(status).toBe(200);
    expect(headers['rdn-cost']).toBe('0');
    expect(headers['content-type']).toBe('text/event-stream');
    expect(tokensIn(events)).toBe(10);
    expect(receiptIn(events)).toEqual({
      channelId,
      balance: '24',
      chargedBalance: '20',
      cost: '20',
      units: 10,
    });
    expect(row()).toMatchObject({ acceptedBalance: 24n, chargedBalance: 20n });
  });

  it('meters a StreamableFile on a POST whose ndjson body Fastify does not parse', async () => {
    const before = row();
    const { status, events } = await streamOver(
      `${url}/complete/file?tokens=7`,
      pay,
      before.chargedBalance + 6n,
      {
        topUps: 2,
      },
    );
    expect(status).toBe(201);
    expect(tokensIn(events)).toBe(7);
    expect(receiptIn(events)).toMatchObject({ cost: '14', units: 7 });
    expect(row().chargedBalance - before.chargedBalance).toBe(14n);
  });

  it('meters raw writes (@Res()) and ends with the authorisation spent', async () => {
    const before = row();
    const { events } = await streamOver(`${url}/complete/raw?tokens=40`, pay, before.chargedBalance + 6n, {
      method: 'GET',
    });
    expect(tokensIn(events)).toBe(3);
    expect(receiptIn(events)).toMatchObject({ cost: '6', units: 3 });
  });

  it('charges a client that leaves midway exactly the tokens written before it left', async () => {
    const before = row();
    const { events } = await streamOver(`${url}/complete/sse?tokens=30`, pay, before.chargedBalance + 6n, {
      method: 'GET',
      topUps: 2,
      leaveAfter: 5,
    });
    expect(tokensIn(events)).toBe(5);
    await new Promise((r) => setTimeout(r, 100));
    expect([10n, 12n]).toContain(row().chargedBalance - before.chargedBalance);
    expect(paywall.inFlightChannels).toBe(0);
  });
});
