import { describe, expect, it } from 'vitest';
import { RouteTable } from '../core/route-table';
import { aTestPaywall } from '../testing/test-paywall';
import { PaywallProxy } from './paywall-proxy';
import { UpstreamClient } from './upstream-client';

const routes = new RouteTable([
  { match: { exact: '/v1/complete' }, rule: { kind: 'stream', stream: { unitPrice: 2n, unitsPerStep: 3 } } },
  { match: { prefix: '/' }, rule: { kind: 'paid', prices: new Map([['*', 5n]]) } },
]);
const { paywall } = aTestPaywall({ channelId: `0x${'11'.repeat(32)}`, routes, gatewayId: 'spec' });
const proxy = new PaywallProxy(paywall, new UpstreamClient('http://127.0.0.1:9'));

describe('PaywallProxy.streams', () => {
  it('takes the requests of a streamed route, whatever the method and query', () => {
    expect(proxy.streams({ method: 'POST', url: '/v1/complete?prompt=hi', headers: {} })).toBe(true);
    expect(proxy.streams({ method: 'GET', url: '/v1/complete', headers: {} })).toBe(true);
  });

  it('leaves other routes, CORS preflights and non-canonical targets to the buffered path', () => {
    expect(proxy.streams({ method: 'POST', url: '/v1/other', headers: {} })).toBe(false);
    const preflight = { origin: 'https://app.example', 'access-control-request-method': 'POST' };
    expect(proxy.streams({ method: 'OPTIONS', url: '/v1/complete', headers: preflight })).toBe(false);
    expect(proxy.streams({ method: 'GET', url: '/v1/../v1/complete', headers: {} })).toBe(false);
  });
});
