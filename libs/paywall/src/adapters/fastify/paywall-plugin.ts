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
import { CHARGE_HEADER, readReportedCharge, takeReportedCharge } from '../../core/metered-charge';
import { nodePaywallRequest } from '../node-paywall-request';
import type { PaidTicket } from '../../core/paywall';
import type { PaywallResponse } from '../../core/paywall-response';

/** Options of {@link paywallPlugin}: `app.register(paywallPlugin, { paywall })`. */
export interface PaywallPluginOptions {
  /** A Paywall, or a PaywallRuntime (`startPaywall`): then the plugin also answers the close endpoint. */
  readonly paywall: PaywallSource;
  /** Scheme clients use (for the x402 resource URL); default: Fastify's `request.protocol`. */
  readonly protocol?: string;
}

/** What the onRequest hook admitted, for the hooks after the handler. */
type Admitted = { readonly free: string } | { readonly ticket: PaidTicket; settled: boolean };

function answer(reply: FastifyReply, response: PaywallResponse): FastifyReply {
  return reply.code(response.status).headers(response.headers).send(response.body);
}

/** Drops the handler's headers from a reply the paywall answers instead; the CORS ones set for the request stay. */
function clearHandlerHeaders(reply: FastifyReply): void {
  for (const name of Object.keys(reply.getHeaders()))
    if (!name.startsWith('access-control-')) reply.removeHeader(name);
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
    const admission = await paywall.admit(built.request);
    if (admission.kind === 'respond') return answer(reply, admission.response);
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
    const header = reply.getHeader(CHARGE_HEADER);
    reply.removeHeader(CHARGE_HEADER);
    const reported = takeReportedCharge(reply) ?? readReportedCharge(header);
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
 * (2xx/3xx) or released (any other status, the handler's errors included). Its hooks apply to the scope it is
 * registered in and that scope's children, as with `fastify-plugin` (no encapsulation); the routes file decides
 * which paths are paid, free or unknown (404).
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
