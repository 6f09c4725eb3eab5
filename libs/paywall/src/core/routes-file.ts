import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { RouteConfigError, type RouteDefinition } from './route-table';
import { MAX_UNIT_BYTES } from './stream-meter';

const amount = z
  .string()
  .regex(/^[1-9][0-9]{0,77}$/, 'expected a base-10 amount >= 1 without leading zeros')
  .transform((text) => BigInt(text))
  .refine((value) => value < 1n << 256n, 'exceeds uint256');
const method = z.union([z.literal('*'), z.string().regex(/^[A-Z]{1,16}$/, 'expected an upper-case method')]);
const urlPath = z.string().regex(/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/, 'expected an absolute URL path');

const location = z.union([
  z.object({ path: urlPath, prefix: z.undefined().optional() }),
  z.object({ prefix: urlPath, path: z.undefined().optional() }),
]);
const pricing = z.union([
  z.object({ free: z.literal(true) }).strict(),
  z.object({ price: amount, priceHook: z.string().min(1).optional() }).strict(),
  z.object({ prices: z.record(method, amount), priceHook: z.string().min(1).optional() }).strict(),
  z.object({ maxPrice: amount }).strict(),
  z
    .object({
      stream: z
        .object({
          unitPrice: amount,
          unitsPerStep: z.number().int().min(1).max(1_000_000),
          unitBytes: z.number().int().min(1).max(MAX_UNIT_BYTES).optional(),
        })
        .strict(),
    })
    .strict(),
]);

const routeShape = z
  .object({
    path: urlPath.optional(),
    prefix: urlPath.optional(),
    free: z.literal(true).optional(),
    price: z.unknown().optional(),
    prices: z.unknown().optional(),
    priceHook: z.unknown().optional(),
    maxPrice: z.unknown().optional(),
    stream: z.unknown().optional(),
  })
  .strict();

/**
 * The ROUTES_FILE format: `{ "routes": [ { "path" | "prefix", "price" | "prices" | "maxPrice" | "stream" | "free",
 * "priceHook"? } ] }` (`maxPrice`: metered, docs/protocol.md 7.2; `stream`: `{ "unitPrice": "<amount>",
 * "unitsPerStep": <integer>, "unitBytes"?: <integer> }`, streamed, 7.3, per SSE event or per `unitBytes` bytes;
 * neither takes a price hook).
 */
export const routesFileSchema = z.object({ routes: z.array(routeShape).min(1).max(10_000) }).strict();

/** Turns the JSON of a routes file into route definitions; throws RouteConfigError listing every problem. */
export function parseRoutesFile(json: unknown, source = 'routes file'): RouteDefinition[] {
  const shape = routesFileSchema.safeParse(json);
  if (!shape.success) throw invalid(source, shape.error);
  const issues: string[] = [];
  const routes: RouteDefinition[] = [];
  shape.data.routes.forEach((raw, index) => {
    const { path, prefix, ...rest } = raw;
    const where = location.safeParse({ path, prefix });
    const how = pricing.safeParse(stripUndefined(rest));
    if (!where.success || (path === undefined) === (prefix === undefined)) {
      issues.push(`routes.${index}: exactly one of "path" or "prefix" is required`);
      return;
    }
    if (!how.success) {
      issues.push(
        `routes.${index}: exactly one of "free": true, "price", "prices", "maxPrice" or "stream" is required (${flatten(how.error)})`,
      );
      return;
    }
    const match = path !== undefined ? { exact: path } : { prefix: prefix as string };
    const spec = how.data;
    if ('free' in spec) {
      routes.push({ match, rule: { kind: 'free' } });
      return;
    }
    if ('maxPrice' in spec) {
      routes.push({ match, rule: { kind: 'metered', maxPrice: spec.maxPrice } });
      return;
    }
    if ('stream' in spec) {
      const { unitBytes, ...stream } = spec.stream;
      const pricing = unitBytes === undefined ? stream : { ...stream, unitBytes };
      routes.push({ match, rule: { kind: 'stream', stream: pricing } });
      return;
    }
    const prices = new Map<string, bigint>(
      'price' in spec ? [['*', spec.price]] : Object.entries(spec.prices),
    );
    routes.push({
      match,
      rule: { kind: 'paid', prices, ...(spec.priceHook === undefined ? {} : { priceHook: spec.priceHook }) },
    });
  });
  if (issues.length > 0) {
    throw new RouteConfigError('ROUTES_INVALID', `${source} is invalid:\n  - ${issues.join('\n  - ')}`, {
      source,
    });
  }
  return routes;
}

/** Reads and parses ROUTES_FILE. */
export function readRoutesFile(file: string): RouteDefinition[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new RouteConfigError('ROUTES_INVALID', `cannot read ${file} as JSON`, { source: file }, { cause });
  }
  return parseRoutesFile(json, file);
}

function stripUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

function flatten(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(route)'}: ${issue.message}`).join('; ');
}

function invalid(source: string, error: z.ZodError): RouteConfigError {
  return new RouteConfigError('ROUTES_INVALID', `${source} is invalid: ${flatten(error)}`, { source });
}
