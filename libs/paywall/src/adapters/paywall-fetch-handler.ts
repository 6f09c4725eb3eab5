import { paywallPartsOf, type PaywallSource } from '../core/close-endpoint';
import { closeFetchRequestBody } from './close-request-body';
import { corsPreflight, isCorsPreflight, withCorsHeaders } from '../core/cors';
import { CHARGE_HEADER, readReportedCharge } from '../core/metered-charge';
import { GatewayError } from '../core/gateway-error';
import type { PaidTicket, Paywall, PaywallRequest } from '../core/paywall';
import { gatewayErrorResponse, type PaywallResponse } from '../core/paywall-response';
import { parseRequestTarget } from '../core/request-target';
import { meterFetchResponse } from '../stream/fetch-stream-response';

/** The application's handler behind {@link paywallFetchHandler}. */
export type FetchNext = (request: Request) => Promise<Response>;

/** Options of {@link paywallFetchHandler}. */
export interface PaywallFetchHandlerOptions {
  readonly onError?: (err: unknown) => void;
  /** How long a streamed route's pause waits for a top-up (STREAM_TOPUP_TIMEOUT_MS); default 30 s. */
  readonly streamTopUpTimeoutMs?: number;
}

type RequestHeaders = Record<string, string>;
type Body = ConstructorParameters<typeof Response>[0];

// fetch's Response refuses a body, even an empty one, with these statuses.
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** The answer made readable to a page on another origin, keeping the CORS headers the application set. */
function withCors(requestHeaders: RequestHeaders, status: number, headers: Headers, body: Body) {
  const own: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.startsWith('access-control-')) own[name] = value;
  });
  for (const [name, value] of Object.entries(withCorsHeaders(requestHeaders, own)))
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  return new Response(NULL_BODY_STATUSES.has(status) ? null : body, { status, headers });
}

function toResponse(requestHeaders: RequestHeaders, response: PaywallResponse): Response {
  return withCors(requestHeaders, response.status, new Headers(response.headers), response.body);
}

/**
 * A streamed route (docs/protocol.md 7.3): the first proof is accepted before `next` runs; `next`'s Response body
 * (SSE, a ReadableStream) is metered into the paywall's, with the top-ups read off `request.body`, which the
 * handler must not read. The request's `signal` ends the stream where the server aborts it when the client leaves.
 */
async function serveStream(
  paywall: Paywall,
  ticket: PaidTicket,
  request: Request,
  next: FetchNext,
  options: PaywallFetchHandlerOptions,
): Promise<Response> {
  const headers: RequestHeaders = Object.fromEntries(request.headers);
  const opening = await paywall.openStream(ticket);
  if (opening.kind === 'respond') return toResponse(headers, opening.response);
  let answer: Response;
  try {
    answer = await next(request);
  } catch (err) {
    opening.stream.release();
    throw err;
  }
  const { onError, streamTopUpTimeoutMs } = options;
  const { response } = meterFetchResponse(request.body, answer, opening.stream, {
    signal: request.signal,
    ...(streamTopUpTimeoutMs === undefined ? {} : { timeoutMs: streamTopUpTimeoutMs }),
    ...(onError === undefined ? {} : { log: (message: string) => onError(new Error(message)) }),
  });
  return withCors(headers, response.status, new Headers(response.headers), response.body);
}

/**
 * The paywall for fetch-standard servers (Hono, Next.js route handlers, Bun, Deno): `handle(request, next)` answers
 * unpaid requests itself, calls `next` for free and paid ones, and hands out a paid response only after its
 * payment was accepted (2xx/3xx; the body is buffered until then) with the receipt headers added. On a metered
 * route `next`'s Response reports what the request cost in an `RDN-Charge` header, which is removed before it goes out.
 * fetch's `Headers` joins a repeated header into one value, so a repeated payment header is refused here even when
 * its copies agree (the Node middleware accepts that). Given a PaywallRuntime (`startPaywall`), it also answers the
 * close endpoint under the advertised RDN-Gateway-Path. A streamed route's answer is not buffered but metered as it
 * streams (see serveStream): `next` returns a Response whose body is a ReadableStream of SSE, and the client's
 * top-ups come on `request.body`, so the runtime must hand over the request body while the response streams.
 */
export function paywallFetchHandler(source: PaywallSource, options: PaywallFetchHandlerOptions = {}) {
  const { paywall, closeEndpoint } = paywallPartsOf(source);
  return async function handle(request: Request, next: FetchNext): Promise<Response> {
    const headers: RequestHeaders = Object.fromEntries(request.headers);
    if (isCorsPreflight(request.method, headers)) return toResponse(headers, corsPreflight(headers));
    const url = new URL(request.url);
    const target = parseRequestTarget(`${url.pathname}${url.search}`);
    if (target === undefined)
      return toResponse(headers, gatewayErrorResponse(new GatewayError('PATH_NOT_CANONICAL')));
    const accept = request.headers.get('accept');
    const closing = closeEndpoint?.match(request.method, target.path);
    if (closeEndpoint !== undefined && closing !== undefined) {
      const body = await closeFetchRequestBody(request).catch(() => undefined);
      const answer = await closeEndpoint.answer({
        params: closing,
        body,
        query: target.query,
        resourceUrl: `${url.origin}${target.path}`,
        ...(accept === null ? {} : { accept }),
      });
      return toResponse(headers, answer);
    }
    const paywallRequest: PaywallRequest = {
      method: request.method,
      path: target.path,
      query: target.query,
      headers: request.headers,
      resourceUrl: `${url.origin}${target.path}`,
      ...(accept === null ? {} : { accept }),
    };
    const admission = await paywall.admit(paywallRequest).catch((err: unknown) => {
      options.onError?.(err);
      throw err;
    });
    if (admission.kind === 'respond') return toResponse(headers, admission.response);
    if (admission.kind === 'free') {
      const response = await next(request);
      paywall.servedFree(admission.route);
      return response;
    }
    if (admission.ticket.stream !== undefined)
      return serveStream(paywall, admission.ticket, request, next, options);
    let status: number;
    let body: ArrayBuffer;
    let answer: Response;
    try {
      answer = await next(request);
      status = answer.status;
      body = await answer.arrayBuffer();
    } catch (err) {
      // The handler failed: the reservation is released, nothing is charged.
      await paywall.complete(admission.ticket, { failure: 'unreachable' });
      throw err;
    }
    // A metered handler reports what the request cost in RDN-Charge; it never reaches the client.
    const reported = readReportedCharge(answer.headers.get(CHARGE_HEADER) ?? undefined);
    const completion = await paywall.complete(admission.ticket, {
      status,
      ...(reported === undefined ? {} : { reported }),
    });
    if (completion.kind === 'respond') return toResponse(headers, completion.response);
    const out = new Headers(answer.headers);
    out.delete(CHARGE_HEADER);
    for (const [name, value] of Object.entries(completion.headers)) out.set(name, value);
    out.delete('content-length');
    return withCors(headers, status, out, body);
  };
}
