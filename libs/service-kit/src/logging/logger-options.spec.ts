import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isUnloggedRequest } from './logger-options';

const request = (url: string, originalUrl?: string) =>
  ({ url, ...(originalUrl === undefined ? {} : { originalUrl }) }) as IncomingMessage & {
    originalUrl?: string;
  };

describe('isUnloggedRequest', () => {
  it.each(['/health/ready', '/health/live', '/metrics', '/metrics?x=1', '/health'])(
    'leaves %s out',
    (url) => {
      expect(isUnloggedRequest(request(url))).toBe(true);
    },
  );

  it('reads the path Fastify kept in originalUrl (the middleware layer rewrites url to its mount point)', () => {
    expect(isUnloggedRequest(request('/', '/health/ready'))).toBe(true);
    expect(isUnloggedRequest(request('/', '/api/1/channels'))).toBe(false);
  });

  it.each(['/api/1/channels', '/operator', '/healthy', '/metricsx', '/'])('logs %s', (url) => {
    expect(isUnloggedRequest(request(url))).toBe(false);
  });
});
