import type { IncomingHttpHeaders } from 'node:http';
import { corsPreflight, isCorsPreflight, withCorsHeaders } from '../core/cors';
import { GatewayError } from '../core/gateway-error';
import type { Paywall, PaywallRequest, UpstreamOutcome } from '../core/paywall';
import { gatewayErrorResponse } from '../core/paywall-response';
import { parseRequestTarget } from '../core/request-target';
import type { UpstreamClient, UpstreamFailure, UpstreamResponse } from './upstream-client';

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

function isFailure(result: UpstreamResponse | UpstreamFailure): result is UpstreamFailure {
  return 'failure' in result;
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
  ) {}

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
    const host = typeof request.headers.host === 'string' ? request.headers.host : 'localhost';
    const paywallRequest: PaywallRequest = {
      method: request.method,
      path: target.path,
      query: target.query,
      headers: request.headersDistinct ?? request.headers,
      resourceUrl: `${request.protocol}://${host}${target.path}`,
      ...(request.headers.accept === undefined ? {} : { accept: request.headers.accept }),
    };
    const admission = await this.paywall.admit(paywallRequest);
    if (admission.kind === 'respond') return admission.response;

    const forwarded = await this.upstream.forward({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: request.body,
      host,
      protocol: request.protocol,
      ...(request.clientAddress === undefined ? {} : { clientAddress: request.clientAddress }),
    });

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
