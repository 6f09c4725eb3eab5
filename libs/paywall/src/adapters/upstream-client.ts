import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { errors, Pool } from 'undici';
import { CHARGE_HEADER, readReportedCharge, type ReportedCharge } from '../core/metered-charge';

/** A request to forward; headers as Node parsed them (lower-case names). */
export interface UpstreamRequest {
  readonly method: string;
  /** Path and query as received, e.g. `/api/weather?city=Berlin`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body?: Buffer | undefined;
  /** For X-Forwarded-*. */
  readonly clientAddress?: string;
  readonly host?: string;
  readonly protocol?: string;
}

/** The upstream's complete response, buffered: a paid one may only go out after the acceptance committed. */
export interface UpstreamResponse {
  readonly status: number;
  /** Without the payment headers (RDN-Charge included): those are the gateway's business. */
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
  /** What the upstream said a metered request cost, in its RDN-Charge response header; absent when it said nothing. */
  readonly reported?: ReportedCharge;
}

/** The upstream's response as it arrives: head read, body still to pull (a streamed route's SSE). */
export interface UpstreamStream {
  readonly status: number;
  /** Without hop-by-hop and payment headers, like {@link UpstreamResponse}'s. */
  readonly headers: Record<string, string | string[]>;
  readonly body: Readable;
}

/** Why no response came back. */
export type UpstreamFailure = { readonly failure: 'unreachable' | 'timeout'; readonly message: string };

/** Options of {@link UpstreamClient}. */
export interface UpstreamClientOptions {
  /** Keep-alive connections to the upstream. Default 128. */
  readonly connections?: number;
  /** Longest wait for the response headers, and between body chunks. Default 30 s. */
  readonly timeoutMs?: number;
}

// RFC 9110 7.6.1 hop-by-hop fields, plus what the client must not control or see of the other hop.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

// Payment headers are the gateway's business: the upstream never sees the client's proof (RDN-* or x402's
// PAYMENT-SIGNATURE), and an upstream cannot forge a receipt, challenge or settlement towards the client.
const X402_HEADERS = new Set(['payment-required', 'payment-signature', 'payment-response']);
function isPaymentHeader(name: string): boolean {
  return name.startsWith('rdn-') || X402_HEADERS.has(name);
}

function connectionTokens(value: string | string[] | undefined): Set<string> {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(
    text
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  );
}

/** The upstream's response as `headers` of its client: without hop-by-hop and payment headers. */
function clientHeaders(raw: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const dropped = connectionTokens(raw.connection);
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || HOP_BY_HOP.has(name) || dropped.has(name) || isPaymentHeader(name)) continue;
    out[name] = value;
  }
  return out;
}

/** A request's headers without those describing its body (for a request forwarded without it). */
function withoutBodyHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const { 'content-type': _type, 'content-encoding': _encoding, ...rest } = headers;
  return rest;
}

function failureOf(err: unknown): UpstreamFailure {
  const timeout =
    err instanceof errors.HeadersTimeoutError ||
    err instanceof errors.BodyTimeoutError ||
    err instanceof errors.ConnectTimeoutError;
  return { failure: timeout ? 'timeout' : 'unreachable', message: (err as Error).message };
}

/** Forwards requests to one upstream origin over keep-alive connections (undici). */
export class UpstreamClient {
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly upstreamHost: string;

  constructor(baseUrl: string, options: UpstreamClientOptions = {}) {
    const url = new URL(baseUrl);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.upstreamHost = url.host;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.pool = new Pool(url.origin, {
      connections: options.connections ?? 128,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }

  /** Forwards `request`; resolves with the buffered response or why there is none. Never rejects. */
  async forward(request: UpstreamRequest): Promise<UpstreamResponse | UpstreamFailure> {
    try {
      const response = await this.pool.request({
        path: this.basePath + request.url,
        method: request.method as 'GET',
        headers: this.requestHeaders(request),
        body: request.body !== undefined && request.body.length > 0 ? request.body : null,
      });
      const body = Buffer.from(await response.body.arrayBuffer());
      const reported = readReportedCharge(response.headers[CHARGE_HEADER.toLowerCase()]);
      return {
        status: response.statusCode,
        headers: clientHeaders(response.headers),
        body,
        ...(reported === undefined ? {} : { reported }),
      };
    } catch (err) {
      return failureOf(err);
    }
  }

  /**
   * Forwards `request` without its body (a streamed route's request body is the client's top-ups, docs/protocol.md
   * 7.3) and resolves once the upstream's head arrived, with its body unread: pulling the body is what reads the
   * upstream, so a consumer that stops pulling stops the upstream (TCP backpressure). Aborting `signal`, or
   * destroying the body, ends the upstream request. Never rejects.
   */
  async open(request: UpstreamRequest, signal: AbortSignal): Promise<UpstreamStream | UpstreamFailure> {
    try {
      const response = await this.pool.request({
        path: this.basePath + request.url,
        method: request.method as 'GET',
        headers: this.requestHeaders({ ...request, headers: withoutBodyHeaders(request.headers) }),
        body: null,
        signal,
      });
      return { status: response.statusCode, headers: clientHeaders(response.headers), body: response.body };
    } catch (err) {
      return failureOf(err);
    }
  }

  /** The headers the upstream gets: the client's, minus hop-by-hop and payment ones, plus X-Forwarded-*. */
  private requestHeaders(request: UpstreamRequest): Record<string, string | string[]> {
    const headers: Record<string, string | string[]> = {};
    const dropped = connectionTokens(request.headers.connection);
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name) || dropped.has(name) || isPaymentHeader(name)) continue;
      headers[name] = value;
    }
    headers.host = this.upstreamHost;
    if (request.clientAddress !== undefined) {
      const prior = request.headers['x-forwarded-for'];
      headers['x-forwarded-for'] = prior ? `${prior}, ${request.clientAddress}` : request.clientAddress;
    }
    if (request.host !== undefined) headers['x-forwarded-host'] = request.host;
    if (request.protocol !== undefined) headers['x-forwarded-proto'] = request.protocol;
    return headers;
  }

  /** Answers whether the upstream accepts a connection and answers HTTP at all (any status). */
  async probe(): Promise<{ status: number }> {
    const response = await this.pool.request({
      path: this.basePath + '/',
      method: 'HEAD',
      headers: { host: this.upstreamHost },
      headersTimeout: Math.min(this.timeoutMs, 3_000),
    });
    await response.body.dump();
    return { status: response.statusCode };
  }

  /** Closes the keep-alive connections. */
  async close(): Promise<void> {
    await this.pool.close();
  }
}
