import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LoggerModule } from 'nestjs-pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapService } from './bootstrap-service';
import { loggerOptions } from './logging/logger-options';

@Module({ imports: [LoggerModule.forRoot(loggerOptions('test', 'silent'))] })
class EmptyModule {}

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

// Routes mounted on Fastify directly (the gateway's reverse proxy is one) bypass Nest's exception filter: their
// errors must still be answered in the services' shape and never with a driver's message.
let app: NestFastifyApplication;
beforeAll(async () => {
  app = await bootstrapService(EmptyModule, { name: 'test', port: 0, listen: false });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/raw/bug', async () => {
    throw new Error('connect ECONNREFUSED 10.1.2.3:5432');
  });
  fastify.get('/raw/database', async () => {
    throw withCode('terminating connection due to administrator command', '57P01');
  });
  fastify.post('/raw/small', { bodyLimit: 10 }, async () => ({ ok: true }));
  await app.init();
});
afterAll(() => app?.close());

const inject = (options: { method: 'GET' | 'POST' | 'HEAD'; url: string; payload?: string }) =>
  app
    .getHttpAdapter()
    .getInstance()
    .inject({ ...options, headers: { 'content-type': 'application/json' } });

describe('errors of routes outside Nest', () => {
  it('answers an unexpected error with 500 INTERNAL, naming nothing internal', async () => {
    const res = await inject({ method: 'GET', url: '/raw/bug' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'INTERNAL', message: 'internal error', details: {} } });
  });

  it('answers a lost database with 503 DATABASE_UNAVAILABLE and Retry-After', async () => {
    const res = await inject({ method: 'GET', url: '/raw/database' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.json()).toMatchObject({ error: { code: 'DATABASE_UNAVAILABLE' } });
    expect(res.body).not.toMatch(/administrator/);
  });

  it("keeps Fastify's client errors as 4xx in the same shape", async () => {
    const res = await inject({
      method: 'POST',
      url: '/raw/small',
      payload: JSON.stringify({ a: 'x'.repeat(50) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE', details: {} } });
  });
});
