import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { corsPreflight, isCorsPreflight, withCorsHeaders } from '../core/cors';
import { GatewayError } from '../core/gateway-error';
import type { Paywall, PaywallRequest, UpstreamOutcome } from '../core/paywall';
import { gatewayErrorResponse } from '../core/paywall-response';
import { parseRequestTarget, type RequestTarget } from '../core/request-target';
import { serveProxiedStream, type ProxiedStream } from './proxy-stream';
export type { ProxiedStream } from './proxy-stream';
import type { UpstreamClient, UpstreamFailure, UpstreamRequest, UpstreamResponse } from './upstream-client';

/** An incoming request as any HTTP server sees it. */
export interface ProxyRequest {
  readonly method: string;
  /** Origin-form request target: path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /**
   * Node's `headersDistinct` (every header line its own value). Payments are read from it when given: `headers`
   * joins a repeated header into one comma-joined value, which fails the format, while docs/protocol.md section 2
   * counts a repeat with the same value once.
   */
  readonly headersDistinct?: NodeJS.Dict<string[]>;
  readonly body?: Buffer | undefined;
  readonly clientAddress?: string;
  /** `http` or `https` as the client used it. */
  readonly protocol: string;
}

/** What to send back. */
export interface ProxyResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer | string;
}

/** Options of {@link PaywallProxy}. */
export interface PaywallProxyOptions {
  /** How long a streamed route's pause waits for a top-up (STREAM_TOPUP_TIMEOUT_MS); default 30 s. */
  readonly streamTopUpTimeoutMs?: number;
  /** Reports a stream's failures that are not the client's (a commit the database refused). */
  readonly log?: (message: string, extra: Record<string, string | number>) => void;
}

function isFailure(result: UpstreamResponse | UpstreamFailure): result is UpstreamFailure {
  return 'failure' in result;
}

function hostOf(request: ProxyRequest): string {
  return typeof request.headers.host === 'string' ? request.headers.host : 'localhost';
}

function paywallRequestOf(request: ProxyRequest, target: RequestTarget): PaywallRequest {
  return {
    method: request.method,
    path: target.path,
    query: target.query,
    headers: request.headersDistinct ?? request.headers,
    resourceUrl: `${request.protocol}://${hostOf(request)}${target.path}`,
    ...(request.headers.accept === undefined ? {} : { accept: request.headers.accept }),
  };
}

/** The request as the upstream gets it, without a body. */
function upstreamRequestOf(request: ProxyRequest): UpstreamRequest {
  return {
    method: request.method,
    url: request.url,
    headers: request.headers,
    host: hostOf(request),
    protocol: request.protocol,
    ...(request.clientAddress === undefined ? {} : { clientAddress: request.clientAddress }),
  };
}

/**
 * The reverse proxy: admission by the paywall, forwarding to the upstream, then settlement. A paid response is
 * held until its acceptance committed; an upstream that did not succeed (4xx, 5xx, unreachable, timed out) is never
 * charged.
 */
export class PaywallProxy {
  constructor(
    private readonly paywall: Paywall,
    private readonly upstream: UpstreamClient,
    private readonly options: PaywallProxyOptions = {},
  ) {}

  /**
   * Whether `request` is for a streamed route (docs/protocol.md 7.3): the server must then leave its body unread
   * (the client's top-ups come on it while the response streams) and answer it with {@link handleStream}.
   */
  streams(request: Pick<ProxyRequest, 'method' | 'url' | 'headers'>): boolean {
    if (isCorsPreflight(request.method, request.headers)) return false;
    const target = parseRequestTarget(request.url);
    return target !== undefined && this.paywall.streams(target.path);
  }

  /**
   * Answers a request {@link streams} chose on Node's own request and response (the server must not have read the
   * body, nor written anything): the upstream's SSE response is metered while it streams. The upstream gets the
   * request without its body. Resolves when the exchange ended, with what was answered; rejects only on an unexpected
   * failure before anything was written (the caller's 500).
   */
  async handleStream(
    request: ProxyRequest,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<ProxiedStream> {
    const target = parseRequestTarget(request.url);
    if (target === undefined) throw new Error('handleStream: the request target is not canonical');
    const timeoutMs = this.options.streamTopUpTimeoutMs;
    const log = this.options.log;
    return serveProxiedStream({
      paywall: this.paywall,
      upstream: this.upstream,
      request: paywallRequestOf(request, target),
      forward: upstreamRequestOf(request),
      req,
      res,
      options: {
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        ...(log === undefined ? {} : { log }),
      },
    });
  }

  /**
   * Handles one request end to end; never rejects (unexpected errors are the caller's 500). A browser's CORS
   * preflight is answered here, and every answer to a cross-origin request exposes the protocol's headers.
   */
  async handle(request: ProxyRequest): Promise<ProxyResponse> {
    if (isCorsPreflight(request.method, request.headers)) return corsPreflight(request.headers);
    const response = await this.serve(request);
    return { ...response, headers: withCorsHeaders(request.headers, response.headers) };
  }

  private async serve(request: ProxyRequest): Promise<ProxyResponse> {
    const target = parseRequestTarget(request.url);
    if (target === undefined) {
      return gatewayErrorResponse(new GatewayError('PATH_NOT_CANONICAL'));
    }
    const admission = await this.paywall.admit(paywallRequestOf(request, target));
    if (admission.kind === 'respond') return admission.response;

    const forwarded = await this.upstream.forward({ ...upstreamRequestOf(request), body: request.body });

    if (admission.kind === 'free') {
      if (isFailure(forwarded)) {
        const code = forwarded.failure === 'timeout' ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNREACHABLE';
        return gatewayErrorResponse(new GatewayError(code));
      }
      this.paywall.servedFree(admission.route);
      return { status: forwarded.status, headers: forwarded.headers, body: forwarded.body };
    }

    const outcome: UpstreamOutcome = isFailure(forwarded)
      ? { failure: forwarded.failure }
      : {
          status: forwarded.status,
          ...(forwarded.reported === undefined ? {} : { reported: forwarded.reported }),
        };
    const completion = await this.paywall.complete(admission.ticket, outcome);
    if (completion.kind === 'respond' || isFailure(forwarded)) {
      // A transport failure always completes with 'respond'; the check narrows the type.
      return completion.kind === 'respond'
        ? completion.response
        : gatewayErrorResponse(new GatewayError('UPSTREAM_UNREACHABLE'));
    }
    return {
      status: forwarded.status,
      headers: { ...forwarded.headers, ...completion.headers },
      body: forwarded.body,
    };
  }
}
