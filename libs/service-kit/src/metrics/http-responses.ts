import type { FastifyInstance } from 'fastify';
import { Counter, type Registry } from 'prom-client';

/** Status classes counted from the first request on (a rate over a series that exists is never "no data"). */
const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/**
 * Counts every HTTP answer of the app by status class, Nest routes and raw Fastify routes (the gateway's proxy)
 * alike: the 5xx rate an operator alerts on is what clients saw, whichever layer produced it.
 */
export function countHttpResponses(fastify: FastifyInstance, registry: Registry): void {
  const responses = new Counter({
    name: 'microraiden_http_responses_total',
    help: 'HTTP responses sent, by status class (1xx..5xx).',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  for (const code of STATUS_CLASSES) responses.inc({ code }, 0);
  fastify.addHook('onResponse', (_request, reply, done) => {
    responses.inc({ code: `${Math.floor(reply.statusCode / 100)}xx` });
    done();
  });
}
