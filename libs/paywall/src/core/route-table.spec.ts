import { describe, expect, it } from 'vitest';
import { RouteConfigError, RouteTable, type RouteDefinition } from './route-table';

const paid = (prices: Record<string, bigint>, priceHook?: string): RouteDefinition['rule'] => ({
  kind: 'paid',
  prices: new Map(Object.entries(prices)),
  ...(priceHook ? { priceHook } : {}),
});

const table = new RouteTable(
  [
    { match: { exact: '/api/weather' }, rule: paid({ '*': 10n }) },
    { match: { prefix: '/api/' }, rule: paid({ GET: 5n, POST: 50n }) },
    { match: { prefix: '/api/premium/' }, rule: paid({ GET: 100n }, 'double-with-query') },
    { match: { prefix: '/public/' }, rule: { kind: 'free' } },
    { match: { exact: '/api/free-sample' }, rule: { kind: 'free' } },
  ],
  { 'double-with-query': ({ query, basePrice }) => (query ? basePrice * 2n : basePrice) },
);

describe('RouteTable', () => {
  it('prefers an exact path over any prefix', () => {
    expect(table.resolve('GET', '/api/weather')).toEqual({
      kind: 'paid',
      route: '/api/weather',
      price: 10n,
      mode: 'fixed',
    });
    expect(table.resolve('GET', '/api/free-sample')).toEqual({ kind: 'free', route: '/api/free-sample' });
  });

  it('names the streamed routes, whose request body carries top-ups (exact path or prefix)', () => {
    const stream = { unitPrice: 3n, unitsPerStep: 2 };
    const streamed = new RouteTable([
      { match: { exact: '/v1/complete' }, rule: { kind: 'stream', stream } },
      { match: { prefix: '/v1/' }, rule: paid({ '*': 1n }) },
      { match: { prefix: '/sse/' }, rule: { kind: 'stream', stream } },
    ]);
    expect(streamed.streamPricingOf('/v1/complete')).toEqual(stream);
    expect(streamed.streamPricingOf('/sse/tokens')).toEqual(stream);
    expect(streamed.streamPricingOf('/v1/other')).toBeUndefined();
    expect(streamed.streamPricingOf('/nowhere')).toBeUndefined();
  });

  it('lists the configured routes under the names requests resolve to', () => {
    expect(table.configured()).toEqual([
      { route: '/api/weather', kind: 'paid' },
      { route: '/api/free-sample', kind: 'free' },
      { route: '/api/premium/*', kind: 'paid' },
      { route: '/public/*', kind: 'free' },
      { route: '/api/*', kind: 'paid' },
    ]);
  });

  it('prefers the longest prefix and prices per method', () => {
    expect(table.resolve('GET', '/api/other')).toEqual({
      kind: 'paid',
      route: '/api/*',
      price: 5n,
      mode: 'fixed',
    });
    expect(table.resolve('post', '/api/other')).toEqual({
      kind: 'paid',
      route: '/api/*',
      price: 50n,
      mode: 'fixed',
    });
    expect(table.resolve('GET', '/api/premium/report')).toEqual({
      kind: 'paid',
      route: '/api/premium/*',
      price: 100n,
      mode: 'fixed',
    });
  });

  it('prices HEAD like GET unless HEAD has its own price', () => {
    expect(table.resolve('HEAD', '/api/other')).toMatchObject({ kind: 'paid', price: 5n });
  });

  it('refuses unpriced methods with the allowed ones', () => {
    expect(table.resolve('DELETE', '/api/other')).toEqual({
      kind: 'method-not-allowed',
      route: '/api/*',
      allowed: ['GET', 'POST'],
    });
  });

  it('serves free routes and refuses paths no route matches', () => {
    expect(table.resolve('GET', '/public/logo.png')).toEqual({ kind: 'free', route: '/public/*' });
    expect(table.resolve('GET', '/public')).toEqual({ kind: 'not-found' });
    expect(table.resolve('GET', '/')).toEqual({ kind: 'not-found' });
  });

  it('lets a price hook change the price per request', () => {
    expect(table.resolve('GET', '/api/premium/r', 'full=1')).toMatchObject({ price: 200n });
  });

  it('rejects unusable tables at construction', () => {
    expect(() => new RouteTable([{ match: { exact: '/a' }, rule: paid({ GET: 0n }) }])).toThrow(
      RouteConfigError,
    );
    expect(() => new RouteTable([{ match: { exact: '/a' }, rule: paid({ GET: 1n }, 'missing') }])).toThrow(
      /unknown price hook/,
    );
    expect(
      () =>
        new RouteTable([
          { match: { exact: '/a' }, rule: { kind: 'free' } },
          { match: { exact: '/a' }, rule: { kind: 'free' } },
        ]),
    ).toThrow(/duplicate/);
  });

  it('treats a hook returning less than 1 as a configuration error', () => {
    const broken = new RouteTable([{ match: { prefix: '/' }, rule: paid({ '*': 1n }, 'zero') }], {
      zero: () => 0n,
    });
    expect(() => broken.resolve('GET', '/x')).toThrow(RouteConfigError);
  });

  it('resolves a metered route to its ceiling for every method', () => {
    const metered = new RouteTable([
      { match: { prefix: '/llm/' }, rule: { kind: 'metered', maxPrice: 500n } },
      { match: { exact: '/llm/cheap' }, rule: paid({ GET: 3n }) },
    ]);
    for (const method of ['GET', 'POST', 'delete'])
      expect(metered.resolve(method, '/llm/complete')).toEqual({
        kind: 'paid',
        route: '/llm/*',
        price: 500n,
        mode: 'metered',
      });
    expect(metered.resolve('GET', '/llm/cheap')).toMatchObject({ price: 3n, mode: 'fixed' });
    expect(metered.configured()).toContainEqual({ route: '/llm/*', kind: 'metered' });
    expect(metered.lowestPrice).toBe(3n);
    expect(
      () => new RouteTable([{ match: { exact: '/a' }, rule: { kind: 'metered', maxPrice: 0n } }]),
    ).toThrow(/maxPrice/);
  });

  it('resolves a streamed route to one step for every method, with its unit price', () => {
    const stream = { unitPrice: 3n, unitsPerStep: 50 };
    const table = new RouteTable([{ match: { exact: '/complete' }, rule: { kind: 'stream', stream } }]);
    expect(table.resolve('POST', '/complete')).toEqual({
      kind: 'paid',
      route: '/complete',
      price: 150n,
      mode: 'stream',
      stream,
    });
    expect(table.lowestPrice).toBe(150n);
    expect(
      () =>
        new RouteTable([
          { match: { exact: '/a' }, rule: { kind: 'stream', stream: { unitPrice: 1n, unitsPerStep: 0 } } },
        ]),
    ).toThrow(/unitsPerStep/);
  });

  it('knows the lowest price of its paid routes (none when all are free)', () => {
    const table = new RouteTable([
      { match: { exact: '/a' }, rule: paid({ GET: 30n, POST: 7n }) },
      { match: { prefix: '/b/' }, rule: paid({ '*': 12n }) },
      { match: { prefix: '/free/' }, rule: { kind: 'free' } },
    ]);
    expect(table.lowestPrice).toBe(7n);
    expect(new RouteTable([{ match: { prefix: '/' }, rule: { kind: 'free' } }]).lowestPrice).toBeUndefined();
  });
});
