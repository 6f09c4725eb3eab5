import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import {
  paywallPartsOf,
  type CloseEndpoint,
  type ClosePathParams,
  type PaywallSource,
} from '../core/close-endpoint';
import { closeRequestBody } from './close-request-body';
import { corsPreflight, isCorsPreflight, withCorsHeaders } from '../core/cors';
import { takeReportedCharge } from '../core/metered-charge';
import { nodePaywallRequest } from './node-paywall-request';
import type { PaidTicket, Paywall } from '../core/paywall';
import type { PaywallResponse } from '../core/paywall-response';
import { meterNodeResponse } from '../stream/node-stream-response';

/** Options of {@link paywallMiddleware}. */
export interface PaywallMiddlewareOptions {
  /** Scheme clients use (for the x402 resource URL); default `http`. */
  readonly protocol?: string;
  /** Reports middleware failures (the request is answered 500). */
  readonly onError?: (err: unknown) => void;
  /** How long a streamed route's pause waits for a top-up (STREAM_TOPUP_TIMEOUT_MS); default 30 s. */
  readonly streamTopUpTimeoutMs?: number;
}

type Next = (err?: unknown) => void;

function send(res: ServerResponse, response: PaywallResponse): void {
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

/**
 * Holds everything the application writes until `settle` decides: the response of a paid request may only go
 * out after its acceptance committed, and a charged reply gets its receipt headers.
 */
type Settlement = { readonly deliver: OutgoingHttpHeaders } | { readonly respond: PaywallResponse };

function holdResponse(res: ServerResponse, settle: (status: number) => Promise<Settlement>) {
  const chunks: Buffer[] = [];
  const original = { write: res.write, end: res.end, writeHead: res.writeHead };
  const toBuffer = (chunk: unknown, encoding?: unknown): Buffer =>
    Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');

  res.writeHead = function writeHead(this: ServerResponse, status: number, ...rest: unknown[]) {
    // Keep status and headers on the response object; nothing is sent yet.
    res.statusCode = status;
    const headers = rest.find((arg) => typeof arg === 'object' && arg !== null) as
      OutgoingHttpHeaders | undefined;
    if (headers !== undefined)
      for (const [name, value] of Object.entries(headers))
        if (value !== undefined) res.setHeader(name, value);
    return res;
  } as ServerResponse['writeHead'];
  res.write = function write(chunk: unknown, encoding?: unknown, callback?: unknown) {
    if (chunk !== undefined && chunk !== null) chunks.push(toBuffer(chunk, encoding));
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  } as ServerResponse['write'];
  res.end = function end(chunk?: unknown, encoding?: unknown, callback?: unknown) {
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function')
      chunks.push(toBuffer(chunk, encoding));
    res.write = original.write;
    res.end = original.end;
    res.writeHead = original.writeHead;
    const done = [chunk, encoding, callback].find((arg) => typeof arg === 'function') as
      (() => void) | undefined;
    void settle(res.statusCode).then(
      (outcome) => {
        if ('respond' in outcome) {
          // The handler's headers go with its response; the CORS ones set for the request stay.
          for (const name of res.getHeaderNames())
            if (!name.startsWith('access-control-')) res.removeHeader(name);
          send(res, outcome.respond);
        } else {
          for (const [name, value] of Object.entries(outcome.deliver))
            if (value !== undefined) res.setHeader(name, value);
          res.removeHeader('content-length');
          const body = Buffer.concat(chunks);
          res.setHeader('content-length', body.length);
          res.end(body);
        }
        done?.();
      },
      () => {
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        res.statusCode = 500;
        res.end();
      },
    );
    return res;
  } as ServerResponse['end'];
}

/** Answers `DELETE {gatewayPath}/channels/{sender}/{channelId}` (docs/protocol.md section 10) in the middleware. */
function answerClose(
  endpoint: CloseEndpoint,
  params: ClosePathParams,
  req: IncomingMessage & { body?: unknown },
  res: ServerResponse,
  context: { query: string; resourceUrl: string; next: Next; onError: ((err: unknown) => void) | undefined },
): void {
  closeRequestBody(req)
    .then((body) =>
      endpoint.answer({
        params,
        body,
        query: context.query,
        resourceUrl: context.resourceUrl,
        ...(req.headers.accept === undefined ? {} : { accept: req.headers.accept }),
      }),
    )
    .then(
      (response) => send(res, response),
      (err: unknown) => {
        context.onError?.(err);
        context.next(err);
      },
    );
}

/**
 * A streamed route (docs/protocol.md 7.3): the first proof is accepted before the handler runs, then the handler's
 * SSE is metered while it streams (see meterNodeResponse for what the handler sees).
 */
async function serveStream(
  paywall: Paywall,
  ticket: PaidTicket,
  req: IncomingMessage,
  res: ServerResponse,
  next: Next,
  options: PaywallMiddlewareOptions,
): Promise<void> {
  const opening = await paywall.openStream(ticket);
  if (opening.kind === 'respond') return send(res, opening.response);
  void meterNodeResponse(req, res, opening.stream, {
    ...(options.streamTopUpTimeoutMs === undefined ? {} : { timeoutMs: options.streamTopUpTimeoutMs }),
    ...(options.onError === undefined
      ? {}
      : { log: (message: string) => options.onError?.(new Error(message)) }),
  });
  next();
}

/**
 * A `(req, res, next)` middleware (Express, Connect, plain Node) charging for the application's own handlers with
 * the same core as the reverse proxy: unpaid requests get the challenge, paid ones reach `next()`, and the
 * handler's response is held until the payment is accepted (2xx/3xx) or released (any other status). A handler of a
 * metered route reports what the request cost with `reportCharge(res, amount)` before it ends the response. Given a
 * PaywallRuntime (`startPaywall`), it also answers the close endpoint under the advertised RDN-Gateway-Path.
 */
export function paywallMiddleware(source: PaywallSource, options: PaywallMiddlewareOptions = {}) {
  const { paywall, closeEndpoint } = paywallPartsOf(source);
  return (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next: Next): void => {
    if (isCorsPreflight(req.method ?? 'GET', req.headers)) return send(res, corsPreflight(req.headers));
    // Whatever answers (the paywall or the handler), a page on another origin must be able to read the payment
    // headers; a CORS middleware of the application that runs later may still override these.
    for (const [name, value] of Object.entries(withCorsHeaders(req.headers, {}))) res.setHeader(name, value);
    const built = nodePaywallRequest(
      {
        method: req.method,
        url: req.originalUrl ?? req.url ?? '/',
        headers: req.headers,
        headersDistinct: req.headersDistinct,
      },
      options.protocol ?? 'http',
    );
    if ('respond' in built) return send(res, built.respond);
    const { request } = built;
    const closing = closeEndpoint?.match(request.method, request.path);
    if (closeEndpoint !== undefined && closing !== undefined) {
      const { onError } = options;
      return answerClose(closeEndpoint, closing, req, res, {
        query: request.query,
        resourceUrl: request.resourceUrl,
        next,
        onError,
      });
    }
    paywall.admit(request).then(
      (admission) => {
        if (admission.kind === 'respond') return send(res, admission.response);
        if (admission.kind === 'free') {
          res.once('finish', () => paywall.servedFree(admission.route));
          return next();
        }
        const ticket: PaidTicket = admission.ticket;
        if (ticket.stream !== undefined) {
          return void serveStream(paywall, ticket, req, res, next, options).catch((err: unknown) => {
            options.onError?.(err);
            next(err);
          });
        }
        let settled = false;
        const settle = async (status: number): Promise<Settlement> => {
          settled = true;
          // A metered handler's reportCharge (or RDN-Charge header, removed here: it is not the client's).
          const reported = takeReportedCharge(res);
          const completion = await paywall.complete(ticket, {
            status,
            ...(reported === undefined ? {} : { reported }),
          });
          return completion.kind === 'deliver'
            ? { deliver: completion.headers }
            : { respond: completion.response };
        };
        // A client that goes away before the handler answered must not leave its reservation held.
        res.once('close', () => {
          if (!settled) void paywall.complete(ticket, { failure: 'unreachable' });
        });
        holdResponse(res, settle);
        next();
      },
      (err: unknown) => {
        options.onError?.(err);
        next(err);
      },
    );
  };
}
