import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { withCorsHeaders } from '../core/cors';
import { GatewayError } from '../core/gateway-error';
import type { Paywall, PaywallRequest } from '../core/paywall';
import { gatewayErrorResponse } from '../core/paywall-response';
import { byteUnitsOf } from '../stream/byte-units';
import {
  declareByteStreamTrailers,
  type MeterNodeResponseOptions,
  type OpenedStream,
} from '../stream/node-stream-response';
import { pumpNodeStream } from '../stream/node-stream-pump';
import { sseBlocksOf } from '../stream/sse-blocks';
import { notEventStream, notEventStreamAnswer } from '../stream/stream-content-type';
import type { StreamBlock, StreamOutcome } from '../stream/stream-pump';
import type { UpstreamClient, UpstreamFailure, UpstreamRequest, UpstreamStream } from './upstream-client';

type Headers = Record<string, string | string[]>;

/** One streamed request through the reverse proxy: the client's request and response as Node has them. */
export interface ProxiedStreamExchange {
  readonly paywall: Paywall;
  readonly upstream: UpstreamClient;
  readonly request: PaywallRequest;
  /** What the upstream is asked (its body is never sent: a streamed route's request body is the client's top-ups). */
  readonly forward: UpstreamRequest;
  /** The client's request: its body is read as top-up lines. */
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly options: MeterNodeResponseOptions;
}

/** What a streamed request was answered (for the request log) and, when the upstream's 2xx was metered, its end. */
export interface ProxiedStream {
  readonly status: number;
  readonly headers: Headers;
  readonly outcome?: StreamOutcome;
}

/** The first acceptance's receipt headers (single values) as strings. */
function receiptHeaders(headers: OutgoingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  return out;
}

function isFailure(result: UpstreamStream | UpstreamFailure): result is UpstreamFailure {
  return 'failure' in result;
}

/** Answers with a complete response (a refusal, a 402, an upstream failure). */
function answer(
  exchange: ProxiedStreamExchange,
  response: { status: number; headers: Headers; body: string },
): ProxiedStream {
  const headers = withCorsHeaders(exchange.forward.headers, response.headers);
  if (!exchange.res.headersSent) exchange.res.writeHead(response.status, headers);
  exchange.res.end(response.body);
  return { status: response.status, headers };
}

/** Sends the upstream's response as it is, unmetered (not 2xx: nothing is charged). */
async function passThrough(
  exchange: ProxiedStreamExchange,
  response: UpstreamStream,
  extra: Headers,
): Promise<ProxiedStream> {
  const headers = withCorsHeaders(exchange.forward.headers, { ...response.headers, ...extra });
  exchange.res.writeHead(response.status, headers);
  // A client that leaves destroys the response, which ends the pipeline and the upstream request with it.
  await pipeline(response.body, exchange.res).catch(() => undefined);
  return { status: response.status, headers };
}

/** The upstream's events until the stream ended it: the abort that ends the upstream request is no failure. */
async function* untilAborted(
  blocks: AsyncIterable<StreamBlock>,
  signal: AbortSignal,
): AsyncGenerator<StreamBlock> {
  try {
    yield* blocks;
  } catch (err) {
    if (!signal.aborted) throw err;
  }
}

/**
 * A streamed route behind the reverse proxy (docs/protocol.md 7.3): the first proof is accepted (charge 0), the
 * upstream is asked without a body, and its 2xx SSE response is metered on its way to the client as the embedded
 * paywall meters a handler's: the upstream is read only while the authorisation covers the next unit (its body is
 * not pulled during a pause, which stops the upstream over TCP), top-ups are read from the client's request body,
 * and the end (upstream done, client gone, no top-up in time) commits the final charge. The upstream request is
 * aborted once the stream ended, whoever ended it. An upstream answer that is not 2xx passes through unmetered.
 */
export async function serveProxiedStream(exchange: ProxiedStreamExchange): Promise<ProxiedStream> {
  const { paywall, res } = exchange;
  const admission = await paywall.admit(exchange.request);
  if (admission.kind === 'respond') return answer(exchange, admission.response);
  const abort = new AbortController();
  res.once('close', () => abort.abort());
  if (admission.kind === 'free') {
    // Only a streamed route gets here (its route is paid); a free one would pass through like any answer.
    const forwarded = await exchange.upstream.open(exchange.forward, abort.signal);
    if (isFailure(forwarded)) return answer(exchange, upstreamFailure(forwarded, {}));
    paywall.servedFree(admission.route);
    return passThrough(exchange, forwarded, {});
  }
  const opening = await paywall.openStream(admission.ticket);
  if (opening.kind === 'respond') return answer(exchange, opening.response);
  return meterUpstream(exchange, opening.stream, abort);
}

function upstreamFailure(failure: UpstreamFailure, headers: Record<string, string>) {
  const code = failure.failure === 'timeout' ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNREACHABLE';
  return gatewayErrorResponse(new GatewayError(code), headers);
}

async function meterUpstream(
  exchange: ProxiedStreamExchange,
  opened: OpenedStream,
  abort: AbortController,
): Promise<ProxiedStream> {
  const { req, res } = exchange;
  const receipt = receiptHeaders(opened.headers);
  const forwarded = await exchange.upstream.open(exchange.forward, abort.signal);
  if (isFailure(forwarded) || forwarded.status < 200 || forwarded.status > 299) {
    // Nothing was delivered: the first proof's acceptance charged 0, and so does this answer.
    opened.release();
    return isFailure(forwarded)
      ? answer(exchange, upstreamFailure(forwarded, receipt))
      : passThrough(exchange, forwarded, receipt);
  }
  const { unitBytes } = opened.meter.pricing;
  if (notEventStream(opened.meter.pricing, forwarded.headers['content-type'])) {
    // Nothing was delivered: refused before the first byte, charging nothing; the upstream request is dropped.
    opened.release();
    abort.abort();
    forwarded.body.destroy();
    return answer(exchange, notEventStreamAnswer(opened.headers));
  }
  const headers = withCorsHeaders(exchange.forward.headers, {
    ...forwarded.headers,
    ...receipt,
    ...declareByteStreamTrailers(req, opened),
  });
  res.writeHead(forwarded.status, headers);
  // The client's stream starts with the head (its receipt), whenever the first unit comes.
  res.flushHeaders();
  const units =
    unitBytes === undefined ? sseBlocksOf(forwarded.body) : byteUnitsOf(forwarded.body, unitBytes);
  const blocks = untilAborted(units, abort.signal);
  const outcome = await pumpNodeStream(req, res, opened, blocks, exchange.options);
  abort.abort();
  return { status: forwarded.status, headers, outcome };
}
