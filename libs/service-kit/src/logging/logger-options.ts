import type { Params } from 'nestjs-pino';

/** Header and field paths that may carry secrets: never logged. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-operator-token"]',
  '*.privateKey',
  '*.password',
  '*.operatorToken',
];

/** Structured JSON logs (pino) with secrets redacted; health probes and metrics scrapes not logged. */
export function loggerOptions(service: string, level: string): Params {
  return {
    pinoHttp: {
      level,
      base: { service },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
    },
  };
}
