import { fail, ok, type Result } from './result';

/** One header's value as Node (`IncomingHttpHeaders`) or a plain object holds it. */
export type HeaderValue = string | readonly string[] | undefined;
/** A plain header object; names are matched case-insensitively. */
export type HeaderBag = Readonly<Record<string, HeaderValue>>;
/** Anything with a case-insensitive `get`, such as fetch's `Headers`. */
export interface HeadersLike {
  get(name: string): string | null;
}
/** Where header parsers read from. */
export type HeaderSource = HeaderBag | HeadersLike;
/** Encoders' output: canonical names to values; pass to Node's setHeader/writeHead or `new Headers()`. */
export type EncodedHeaders = Record<string, string>;

/** No RDN value is legitimately longer (a gateway path is capped at 256); refuse more before parsing. */
export const MAX_HEADER_VALUE_LENGTH = 1024;

function isHeadersLike(source: object): source is HeadersLike {
  return typeof (source as { get?: unknown }).get === 'function';
}

// RFC 9110 optional whitespace around a field value is not part of it.
function trimOws(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}

function collect(raw: unknown, into: string[]): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') {
    into.push(raw);
    return undefined;
  }
  if (Array.isArray(raw)) {
    for (const item of raw) {
      if (typeof item !== 'string') return 'not text';
      into.push(item);
    }
    return undefined;
  }
  return 'not text';
}

/**
 * The value of header `name` (case-insensitive), trimmed; `undefined` when absent. Repeats with the
 * same value collapse to one; repeats that differ are an error, because which one the client meant
 * is unknowable. Never throws, whatever `source` is.
 */
export function readHeader(
  source: unknown,
  name: string,
  maxLength: number = MAX_HEADER_VALUE_LENGTH,
): Result<string | undefined, string> {
  if (typeof source !== 'object' || source === null) return ok(undefined);
  const values: string[] = [];
  if (isHeadersLike(source)) {
    try {
      const problem = collect(source.get(name), values);
      if (problem !== undefined) return fail(problem);
    } catch {
      return fail('unreadable');
    }
  } else {
    const lower = name.toLowerCase();
    for (const key of Object.keys(source)) {
      if (key.length !== lower.length || key.toLowerCase() !== lower) continue;
      const problem = collect((source as Record<string, unknown>)[key], values);
      if (problem !== undefined) return fail(problem);
    }
  }
  if (values.length === 0) return ok(undefined);
  let value: string | undefined;
  for (const raw of values) {
    if (raw.length > maxLength) return fail('too long');
    const trimmed = trimOws(raw);
    if (value !== undefined && value !== trimmed) return fail('repeated with different values');
    value = trimmed;
  }
  return ok(value);
}
