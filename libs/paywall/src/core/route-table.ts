import { MicroraidenError } from '@microraiden/errors';
import type { PriceMode } from '@microraiden/protocol';
import { isValidStreamPricing, MAX_UNIT_BYTES, stepPrice, type StreamPricing } from './stream-meter';

/** How a route is paid for. */
export type RouteRule =
  | { readonly kind: 'free' }
  | {
      readonly kind: 'paid';
      /** Price per upper-case method; `*` applies to methods not listed. */
      readonly prices: ReadonlyMap<string, bigint>;
      /** Name of a registered price hook that may change the price per request. */
      readonly priceHook?: string;
    }
  | {
      /**
       * Metered (docs/protocol.md 7.2), any method: the client authorises `maxPrice`, the handler or upstream reports
       * what the request actually cost, and the request is charged that, at least 1 and at most `maxPrice`.
       */
      readonly kind: 'metered';
      readonly maxPrice: bigint;
    }
  | {
      /**
       * Streamed (docs/protocol.md 7.3), any method: the response is SSE, each event with data is a unit charged
       * `unitPrice`, authorised `unitsPerStep` units at a time (RDN-Price = one step).
       */
      readonly kind: 'stream';
      readonly stream: StreamPricing;
    };

/** One configured route: an exact path or a path prefix. */
export interface RouteDefinition {
  /** Exact path (`/api/weather`) or prefix (`/api/premium/`), matched against the path without query. */
  readonly match: { readonly exact: string } | { readonly prefix: string };
  readonly rule: RouteRule;
}

/** What a request costs, decided before any payment is looked at. */
export type RouteResolution =
  | { readonly kind: 'free'; readonly route: string }
  | {
      readonly kind: 'paid';
      readonly route: string;
      /** What the client must authorise on top of the charged balance: the price, or a metered route's ceiling. */
      readonly price: bigint;
      /** `fixed`: charged what the proof authorises; `metered`: charged the reported cost, clamped to 1..price. */
      readonly mode: PriceMode;
      /** A streamed route's unit price and step (mode `stream`; `price` is then one step). */
      readonly stream?: StreamPricing;
    }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'method-not-allowed'; readonly route: string; readonly allowed: readonly string[] };

/** A configured route as metrics and listings name it (`/path`, or `/prefix/*`). */
export interface ConfiguredRoute {
  readonly route: string;
  readonly kind: RouteRule['kind'];
}

/** Facts a price hook may use; it runs on the hot path, so it is synchronous. */
export interface PriceContext {
  readonly method: string;
  readonly path: string;
  /** The raw query string without `?` ('' when none). */
  readonly query: string;
  /** The route's configured price for this method. */
  readonly basePrice: bigint;
}

/** Computes a request's price (>= 1 base unit); throw or return < 1 to refuse the request as misconfigured. */
export type PriceHook = (context: PriceContext) => bigint;

/** A route table or price hook is unusable: a start-up error, never a request error. */
export class RouteConfigError extends MicroraidenError<'ROUTES_INVALID'> {
  override readonly name = 'RouteConfigError';
}

interface CompiledRoute {
  readonly id: string;
  readonly rule: RouteRule;
  readonly hook?: PriceHook;
}

/**
 * Resolves a request's method and path to its price. Exact paths win over prefixes, longer prefixes over
 * shorter ones; a path matching nothing is not served (a misconfigured table must not leak paid content
 * for free), unless the table has a `/` prefix route.
 */
export class RouteTable {
  private readonly exact = new Map<string, CompiledRoute>();
  /** Longest prefix first. */
  private readonly prefixes: Array<{ prefix: string; route: CompiledRoute }> = [];
  /**
   * The lowest configured price (or metered ceiling) of any paid route and method (before price hooks), or undefined
   * when every route is free: the RDN-Price of answers to requests that have no price of their own (the close API).
   */
  readonly lowestPrice: bigint | undefined;

  constructor(routes: readonly RouteDefinition[], hooks: Readonly<Record<string, PriceHook>> = {}) {
    for (const definition of routes) {
      const { rule } = definition;
      let hook: PriceHook | undefined;
      if (rule.kind === 'paid') {
        if (rule.prices.size === 0) throw new RouteConfigError('ROUTES_INVALID', 'a paid route has no price');
        for (const [method, price] of rule.prices) {
          if (price < 1n)
            throw new RouteConfigError('ROUTES_INVALID', `price of ${method} must be >= 1 base unit`);
        }
        if (rule.priceHook !== undefined) {
          hook = hooks[rule.priceHook];
          if (hook === undefined)
            throw new RouteConfigError('ROUTES_INVALID', `unknown price hook ${rule.priceHook}`, {
              priceHook: rule.priceHook,
            });
        }
      }
      if (rule.kind === 'metered' && rule.maxPrice < 1n)
        throw new RouteConfigError('ROUTES_INVALID', 'maxPrice must be >= 1 base unit');
      if (rule.kind === 'stream' && !isValidStreamPricing(rule.stream))
        throw new RouteConfigError(
          'ROUTES_INVALID',
          `a stream needs unitPrice >= 1, an integer unitsPerStep >= 1 and, if given, an integer unitBytes 1..${MAX_UNIT_BYTES}`,
        );
      if ('exact' in definition.match) {
        const path = definition.match.exact;
        if (this.exact.has(path))
          throw new RouteConfigError('ROUTES_INVALID', `duplicate route ${path}`, { path });
        this.exact.set(path, { id: path, rule, ...(hook ? { hook } : {}) });
      } else {
        const prefix = definition.match.prefix;
        if (this.prefixes.some((p) => p.prefix === prefix))
          throw new RouteConfigError('ROUTES_INVALID', `duplicate prefix ${prefix}`, { prefix });
        this.prefixes.push({ prefix, route: { id: `${prefix}*`, rule, ...(hook ? { hook } : {}) } });
      }
    }
    this.prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
    let lowest: bigint | undefined;
    for (const { rule } of routes) {
      const prices =
        rule.kind === 'paid'
          ? rule.prices.values()
          : rule.kind === 'metered'
            ? [rule.maxPrice]
            : rule.kind === 'stream'
              ? [stepPrice(rule.stream)]
              : [];
      for (const price of prices) if (lowest === undefined || price < lowest) lowest = price;
    }
    this.lowestPrice = lowest;
  }

  private routeOf(path: string): CompiledRoute | undefined {
    return this.exact.get(path) ?? this.prefixes.find((p) => path.startsWith(p.prefix))?.route;
  }

  /** Every configured route, exact paths first. */
  configured(): ConfiguredRoute[] {
    return [...this.exact.values(), ...this.prefixes.map((p) => p.route)].map((route) => ({
      route: route.id,
      kind: route.rule.kind,
    }));
  }

  /** A streamed route's pricing when `path` is one (docs/protocol.md 7.3): its request body carries top-ups. */
  streamPricingOf(path: string): StreamPricing | undefined {
    const rule = this.routeOf(path)?.rule;
    return rule?.kind === 'stream' ? rule.stream : undefined;
  }

  /**
   * The route and price of `method path` (path without the query string). Throws RouteConfigError only when a
   * price hook misbehaves, which is a configuration bug.
   */
  resolve(method: string, path: string, query = ''): RouteResolution {
    const route = this.routeOf(path);
    if (route === undefined) return { kind: 'not-found' };
    const { rule } = route;
    if (rule.kind === 'free') return { kind: 'free', route: route.id };
    if (rule.kind === 'metered')
      return { kind: 'paid', route: route.id, price: rule.maxPrice, mode: 'metered' };
    if (rule.kind === 'stream') {
      return {
        kind: 'paid',
        route: route.id,
        price: stepPrice(rule.stream),
        mode: 'stream',
        stream: rule.stream,
      };
    }
    const upper = method.toUpperCase();
    // HEAD costs what GET costs unless priced itself: it is GET without the body.
    const basePrice =
      rule.prices.get(upper) ??
      (upper === 'HEAD' ? rule.prices.get('GET') : undefined) ??
      rule.prices.get('*');
    if (basePrice === undefined) {
      return { kind: 'method-not-allowed', route: route.id, allowed: [...rule.prices.keys()] };
    }
    if (route.hook === undefined) return { kind: 'paid', route: route.id, price: basePrice, mode: 'fixed' };
    const price = route.hook({ method: upper, path, query, basePrice });
    if (typeof price !== 'bigint' || price < 1n) {
      throw new RouteConfigError('ROUTES_INVALID', `price hook of ${route.id} returned a price below 1`, {
        route: route.id,
      });
    }
    return { kind: 'paid', route: route.id, price, mode: 'fixed' };
  }
}
