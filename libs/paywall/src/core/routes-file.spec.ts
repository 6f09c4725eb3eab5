import { describe, expect, it } from 'vitest';
import { RouteConfigError } from './route-table';
import { parseRoutesFile } from './routes-file';

describe('parseRoutesFile', () => {
  it('reads exact paths, prefixes, per-method prices, free routes and hooks', () => {
    const routes = parseRoutesFile({
      routes: [
        { path: '/api/weather', price: '1000000000000000' },
        { prefix: '/api/premium/', prices: { GET: '10', POST: '50' }, priceHook: 'by-size' },
        { prefix: '/public/', free: true },
        { prefix: '/llm/', maxPrice: '2500' },
        { path: '/complete', stream: { unitPrice: '3', unitsPerStep: 50 } },
        { prefix: '/files/', stream: { unitPrice: '7', unitsPerStep: 16, unitBytes: 65536 } },
      ],
    });
    expect(routes).toEqual([
      { match: { exact: '/api/weather' }, rule: { kind: 'paid', prices: new Map([['*', 10n ** 15n]]) } },
      {
        match: { prefix: '/api/premium/' },
        rule: {
          kind: 'paid',
          prices: new Map([
            ['GET', 10n],
            ['POST', 50n],
          ]),
          priceHook: 'by-size',
        },
      },
      { match: { prefix: '/public/' }, rule: { kind: 'free' } },
      { match: { prefix: '/llm/' }, rule: { kind: 'metered', maxPrice: 2500n } },
      {
        match: { exact: '/complete' },
        rule: { kind: 'stream', stream: { unitPrice: 3n, unitsPerStep: 50 } },
      },
      {
        match: { prefix: '/files/' },
        rule: { kind: 'stream', stream: { unitPrice: 7n, unitsPerStep: 16, unitBytes: 65536 } },
      },
    ]);
  });

  it.each([
    ['a JSON number as price', { routes: [{ path: '/a', price: 10 }] }],
    ['a zero price', { routes: [{ path: '/a', price: '0' }] }],
    ['leading zeros', { routes: [{ path: '/a', price: '010' }] }],
    ['a price above uint256', { routes: [{ path: '/a', price: (1n << 256n).toString() }] }],
    ['both path and prefix', { routes: [{ path: '/a', prefix: '/b', free: true }] }],
    ['neither path nor prefix', { routes: [{ free: true }] }],
    ['free and a price', { routes: [{ path: '/a', free: true, price: '1' }] }],
    ['no pricing', { routes: [{ path: '/a' }] }],
    ['maxPrice and a price', { routes: [{ path: '/a', maxPrice: '5', price: '1' }] }],
    ['maxPrice and free', { routes: [{ path: '/a', maxPrice: '5', free: true }] }],
    ['maxPrice with a price hook', { routes: [{ path: '/a', maxPrice: '5', priceHook: 'h' }] }],
    ['a zero maxPrice', { routes: [{ path: '/a', maxPrice: '0' }] }],
    [
      'a stream and a price',
      { routes: [{ path: '/a', stream: { unitPrice: '1', unitsPerStep: 1 }, price: '1' }] },
    ],
    ['a stream without a step', { routes: [{ path: '/a', stream: { unitPrice: '1' } }] }],
    ['a stream step of 0', { routes: [{ path: '/a', stream: { unitPrice: '1', unitsPerStep: 0 } }] }],
    [
      'a stream step as a string',
      { routes: [{ path: '/a', stream: { unitPrice: '1', unitsPerStep: '5' } }] },
    ],
    ['a zero unit price', { routes: [{ path: '/a', stream: { unitPrice: '0', unitsPerStep: 5 } }] }],
    [
      'a unit of 0 bytes',
      { routes: [{ path: '/a', stream: { unitPrice: '1', unitsPerStep: 5, unitBytes: 0 } }] },
    ],
    [
      'a unit of more than 16 MiB',
      {
        routes: [
          { path: '/a', stream: { unitPrice: '1', unitsPerStep: 5, unitBytes: 16 * 1024 * 1024 + 1 } },
        ],
      },
    ],
    [
      'a unit size as a string',
      { routes: [{ path: '/a', stream: { unitPrice: '1', unitsPerStep: 5, unitBytes: '4096' } }] },
    ],
    ['a relative path', { routes: [{ path: 'a', free: true }] }],
    ['a lower-case method', { routes: [{ path: '/a', prices: { get: '1' } }] }],
    ['an unknown key', { routes: [{ path: '/a', free: true, cache: true }] }],
    ['no routes', { routes: [] }],
    ['not an object', [1, 2]],
  ])('refuses %s', (_what, json) => {
    expect(() => parseRoutesFile(json)).toThrow(RouteConfigError);
  });

  it('lists every bad route at once', () => {
    try {
      parseRoutesFile({ routes: [{ path: '/a' }, { free: true }, { path: '/ok', free: true }] });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/routes\.0[\s\S]*routes\.1/);
    }
  });
});
