import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id';

/** Header and field paths that may carry secrets: never logged. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-operator-token"]',
  '*.privateKey',
  '*.password',
  '*.operatorToken',
];

// Probes and scrapes arrive every few seconds from every orchestrator and Prometheus: logging them buries the
// lines that matter. A failing dependency is logged by the health controller, once per change.
const UNLOGGED_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/** Whether pino-http leaves a request out of the request log (readiness, liveness, metrics). */
export function isUnloggedRequest(req: IncomingMessage & { originalUrl?: string }): boolean {
  // Fastify's middleware layer rewrites `url` relative to the middleware's mount point; originalUrl is the path.
  return UNLOGGED_PATHS.test(req.originalUrl ?? req.url ?? '');
}

/**
 * Structured JSON logs (pino) with secrets redacted; health probes and metrics scrapes not logged. Every line
 * logged while a request is handled carries its `requestId` (the id bootstrapService gave the request).
 */
export function loggerOptions(service: string, level: string): Params {
  return {
    pinoHttp: {
      level,
      base: { service },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Fastify already chose the id (bootstrapService): this only covers a request that reached pino-http without it.
      genReqId: (req) => requestIdOf(req.headers[REQUEST_ID_HEADER]),
      customProps: (req) => ({ requestId: req.id }),
      autoLogging: { ignore: isUnloggedRequest },
    },
  };
}
