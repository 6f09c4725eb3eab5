import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { countHttpResponses } from './http-responses';

async function responses(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('microraiden_http_responses_total')!.get();
  return Object.fromEntries(metric.values.map((v) => [String(v.labels.code), v.value]));
}

describe('countHttpResponses', () => {
  it('has a zero series for every status class before the first request', async () => {
    const registry = new Registry();
    countHttpResponses(Fastify(), registry);
    expect(await responses(registry)).toEqual({ '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 });
  });

  it('counts answers by status class, routes registered in child plugins included', async () => {
    const registry = new Registry();
    const app = Fastify();
    countHttpResponses(app, registry);
    await app.register(async (scope) => {
      scope.get('/ok', () => 'ok');
      scope.get('/boom', async (_request, reply) => reply.code(503).send('down'));
    });
    try {
      await app.inject('/ok');
      await app.inject('/boom');
      await app.inject('/boom');
      await app.inject('/missing');
    } finally {
      await app.close();
    }
    expect(await responses(registry)).toMatchObject({ '2xx': 1, '4xx': 1, '5xx': 2 });
  });
});
