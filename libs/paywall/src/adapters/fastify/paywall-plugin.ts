import type {
  FastifyInstance,
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  onSendHookHandler,
} from 'fastify';
import { paywallPartsOf, type PaywallSource } from '../../core/close-endpoint';
import { closeRequestBody } from '../close-request-body';
import { corsPreflight, isCorsPreflight, withCorsHeaders } from '../../core/cors';
import { takeReportedCharge } from '../../core/metered-charge';
import { nodePaywallRequest } from '../node-paywall-request';
import type { PaidTicket, Paywall } from '../../core/paywall';
import type { PaywallResponse } from '../../core/paywall-response';
import { meterNodeResponse } from '../../stream/node-stream-response';
import { leaveBodyToMeter } from '../stream-request-body';

/** Options of {@link paywallPlugin}: `app.register(paywallPlugin, { paywall })`. */
export interface PaywallPluginOptions {
  /** A Paywall, or a PaywallRuntime (`startPaywall`): then the plugin also answers the close endpoint. */
  readonly paywall: PaywallSource;
  /** Scheme clients use (for the x402 resource URL); default: Fastify's `request.protocol`. */
  readonly protocol?: string;
  /** How long a streamed route's pause waits for a top-up (STREAM_TOPUP_TIMEOUT_MS); default 30 s. */
  readonly streamTopUpTimeoutMs?: number;
  /** Reports a streamed route's failures that are not the client's (a commit the database refused). */
  readonly onStreamError?: (message: string, extra: Record<string, string | number>) => void;
}

/** What the onRequest hook admitted, for the hooks after the handler; a stream is metered on the raw response. */
type Admitted =
  { readonly free: string } | { readonly ticket: PaidTicket; settled: boolean } | { readonly stream: true };

function answer(reply: FastifyReply, response: PaywallResponse): FastifyReply {
  return reply.code(response.status).headers(response.headers).send(response.body);
}

/** Drops the handler's headers from a reply the paywall answers instead; the CORS ones set for the request stay. */
function clearHandlerHeaders(reply: FastifyReply): void {
  for (const name of Object.keys(reply.getHeaders()))
    if (!name.startsWith('access-control-')) reply.removeHeader(name);
}

/**
 * A streamed route (docs/protocol.md 7.3): the first proof is accepted before the handler runs, and what goes out
 * on the raw response from then on is metered (meterNodeResponse): the handler's writes to `reply.raw` after
 * `reply.hijack()`, or the Readable / web ReadableStream / Response it sends, which Fastify pipes into it. The
 * paywall's refusal when the proof is not accepted.
 */
async function openStream(
  paywall: Paywall,
  ticket: PaidTicket,
  request: FastifyRequest,
  reply: FastifyReply,
  options: PaywallPluginOptions,
): Promise<PaywallResponse | undefined> {
  const opening = await paywall.openStream(ticket);
  if (opening.kind === 'respond') return opening.response;
  // A hijacked reply sends only the raw response's headers: the CORS ones go there too.
  for (const [name, value] of Object.entries(withCorsHeaders(request.raw.headers, {})))
    reply.raw.setHeader(name, value);
  void meterNodeResponse(request.raw, reply.raw, opening.stream, {
    ...(options.streamTopUpTimeoutMs === undefined ? {} : { timeoutMs: options.streamTopUpTimeoutMs }),
    ...(options.onStreamError === undefined ? {} : { log: options.onStreamError }),
  });
  return undefined;
}

function register(app: FastifyInstance, options: PaywallPluginOptions): void {
  const { paywall, closeEndpoint } = paywallPartsOf(options.paywall);
  const admitted = new WeakMap<FastifyRequest, Admitted>();

  app.addHook('onRequest', async (request, reply) => {
    const { raw } = request;
    if (isCorsPreflight(request.method, raw.headers)) return answer(reply, corsPreflight(raw.headers));
    // Whatever answers (the paywall or the handler), a page on another origin must be able to read the
    // payment headers; a CORS plugin of the application that runs later may still override these.
    reply.headers(withCorsHeaders(raw.headers, {}));
    const built = nodePaywallRequest(
      { method: raw.method, url: raw.url ?? '/', headers: raw.headers, headersDistinct: raw.headersDistinct },
      options.protocol ?? request.protocol,
    );
    if ('respond' in built) return answer(reply, built.respond);
    const closing = closeEndpoint?.match(built.request.method, built.request.path);
    if (closeEndpoint !== undefined && closing !== undefined) {
      // Before Fastify parses the body (onRequest): the close request's JSON is read off the raw request here.
      const { query, resourceUrl, accept } = built.request;
      const body = await closeRequestBody(raw);
      const closed = await closeEndpoint.answer({
        params: closing,
        body,
        query,
        resourceUrl,
        ...(accept === undefined ? {} : { accept }),
      });
      return answer(reply, closed);
    }
    // Any request to a streamed route, paid or not: its body is the client's top-ups, never Fastify's to parse.
    if (paywall.streams(built.request.path)) leaveBodyToMeter(raw.headers);
    const admission = await paywall.admit(built.request);
    if (admission.kind === 'respond') return answer(reply, admission.response);
    if (admission.kind === 'paid' && admission.ticket.stream !== undefined) {
      const opened = await openStream(paywall, admission.ticket, request, reply, options);
      if (opened !== undefined) return answer(reply, opened);
      admitted.set(request, { stream: true });
      return undefined;
    }
    admitted.set(
      request,
      admission.kind === 'free' ? { free: admission.route } : { ticket: admission.ticket, settled: false },
    );
    return undefined;
  });

  // The payload is not written before this hook returns: a paid reply goes out only after its acceptance
  // committed (2xx/3xx), with the receipt, and a stream is held back without being buffered.
  const onSend: onSendHookHandler = async (request, reply, payload) => {
    const state = admitted.get(request);
    if (state === undefined || !('ticket' in state) || state.settled) return payload;
    state.settled = true;
    // A metered handler's reportCharge(reply, …) or RDN-Charge header; the header is not the client's.
    const reported = takeReportedCharge(reply);
    const completion = await paywall.complete(state.ticket, {
      status: reply.statusCode,
      ...(reported === undefined ? {} : { reported }),
    });
    if (completion.kind === 'deliver') {
      reply.headers(completion.headers);
      return payload;
    }
    clearHandlerHeaders(reply);
    const { status, headers, body } = completion.response;
    reply.code(status).headers(headers);
    return body;
  };
  app.addHook('onSend', onSend);

  app.addHook('onResponse', async (request) => {
    const state = admitted.get(request);
    if (state !== undefined && 'free' in state) paywall.servedFree(state.free);
  });
  // A client that goes away before the handler answered must not leave its reservation held.
  app.addHook('onRequestAbort', async (request) => {
    const state = admitted.get(request);
    if (state === undefined || !('ticket' in state) || state.settled) return;
    state.settled = true;
    await paywall.complete(state.ticket, { failure: 'unreachable' });
  });
}

/**
 * The paywall as a Fastify plugin (`app.register(paywallPlugin, { paywall })`), charging for the application's
 * own routes with the same core as the reverse proxy: unpaid requests get the challenge in `onRequest` (before
 * the body is read), paid ones reach the handler, and `onSend` holds the reply until the payment is accepted
 * (2xx/3xx) or released (any other status, the handler's errors included). A streamed route's first proof is
 * accepted in `onRequest` and its SSE metered as it goes out (docs/protocol.md 7.3): the handler writes to
 * `reply.raw` after `reply.hijack()`, or returns a Readable (`Readable.from(events())`), a web ReadableStream or a
 * Response, honouring backpressure; its request body is the client's top-ups (Fastify does not parse it). Its hooks
 * apply to the scope it is registered in and that scope's children, as with `fastify-plugin` (no encapsulation); the
 * routes file decides which paths are paid, free or unknown (404).
 */
export const paywallPlugin: FastifyPluginCallback<PaywallPluginOptions> = Object.assign(
  (app: FastifyInstance, options: PaywallPluginOptions, done: (err?: Error) => void) => {
    register(app, options);
    done();
  },
  {
    // What fastify-plugin sets: the hooks reach the routes of the scope registering the plugin.
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: '@microraiden/paywall',
  },
);
