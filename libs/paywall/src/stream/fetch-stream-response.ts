import type { OpenedStream, MeterNodeResponseOptions } from './node-stream-response';
import { byteUnitsOf } from './byte-units';
import { sseBlocksOf } from './sse-blocks';
import { notEventStream, notEventStreamAnswer } from './stream-content-type';
import { pumpStream, type StreamClient, type StreamOutcome } from './stream-pump';
import { readTopUpLines } from './top-up-lines';

/** Options of {@link meterFetchResponse}: those of the node:http meter, plus what tells that the client left. */
export interface MeterFetchResponseOptions extends Omit<MeterNodeResponseOptions, 'highWaterEvents'> {
  /** Aborts when the client went away (the request's `signal`, where the server aborts it). */
  readonly signal?: AbortSignal;
}

/** The paywall's Response of a streamed route and how its stream ended. */
export interface MeteredFetchResponse {
  readonly response: Response;
  /** Undefined when the handler's answer was not 2xx (passed through, charged nothing). */
  readonly outcome: Promise<StreamOutcome | undefined>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const encoder = new TextEncoder();

/** The chunks of a web stream, pulled one at a time; cancelling it stops the source (a pause is not pulling). */
class StreamChunks<T> {
  private readonly reader: ReadableStreamDefaultReader<T> | undefined;

  constructor(body: ReadableStream<T> | null) {
    // A body the handler locked (read) carries no top-ups for the paywall: read as empty.
    this.reader = body === null || body.locked ? undefined : body.getReader();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    if (this.reader === undefined) return;
    for (;;) {
      const { done, value } = await this.reader.read();
      if (done) return;
      yield value;
    }
  }

  cancel(): void {
    this.reader?.cancel().catch(() => undefined);
  }
}

/**
 * The client's end as a web ReadableStream: a write resolves once the consumer (the runtime sending the body) has
 * room for it, which is the backpressure that pauses the pump; a cancel is the client going away.
 */
function clientStream(signal: AbortSignal | undefined): {
  body: ReadableStream<Uint8Array>;
  client: StreamClient;
} {
  const gone = new AbortController();
  if (signal?.aborted) gone.abort();
  else signal?.addEventListener('abort', () => gone.abort(), { once: true });
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let room: (() => void) | undefined;
  const body = new ReadableStream<Uint8Array>(
    {
      start: (c) => void (controller = c),
      pull: () => {
        const wake = room;
        room = undefined;
        wake?.();
      },
      cancel: () => {
        gone.abort();
        room?.();
      },
    },
    { highWaterMark: 1 },
  );
  const client: StreamClient = {
    write: (text) => {
      if (gone.signal.aborted) return Promise.resolve();
      controller.enqueue(typeof text === 'string' ? encoder.encode(text) : text);
      if ((controller.desiredSize ?? 0) > 0) return Promise.resolve();
      return new Promise<void>((resolve) => (room = resolve));
    },
    // A Response has no trailers: a byte stream's client counts its cost from the bytes it got (units * unit price).
    end: () => {
      if (!gone.signal.aborted) controller.close();
    },
    gone: gone.signal,
  };
  return { body, client };
}

/**
 * Meters a fetch-standard handler's streamed answer (docs/protocol.md 7.3): `answer`'s body is cut into SSE events
 * and each event with data goes out only while the client's authorisation covers it; `requestBody` (the request's
 * `body`, which the handler must not read) is read as top-up lines while the answer streams. The returned Response
 * carries the answer's status and headers (without Content-Length) with the first acceptance's receipt and a body
 * that is the metered stream; cancelling it (the client went away) or `signal` ends the stream with the final charge.
 * An answer that is not 2xx is passed through with the receipt headers, charged nothing.
 */
export function meterFetchResponse(
  requestBody: ReadableStream<Uint8Array> | null,
  answer: Response,
  opened: OpenedStream,
  options: MeterFetchResponseOptions = {},
): MeteredFetchResponse {
  const headers = new Headers(answer.headers);
  for (const [name, value] of Object.entries(opened.headers))
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : String(value));
  if (answer.status < 200 || answer.status > 299) {
    opened.release();
    const response = new Response(answer.body, { status: answer.status, headers });
    return { response, outcome: Promise.resolve(undefined) };
  }
  const { unitBytes } = opened.meter.pricing;
  if (notEventStream(opened.meter.pricing, answer.headers.get('content-type'))) {
    opened.release();
    void answer.body?.cancel().catch(() => undefined);
    const refused = notEventStreamAnswer(opened.headers);
    const response = new Response(refused.body, { status: refused.status, headers: refused.headers });
    return { response, outcome: Promise.resolve(undefined) };
  }
  headers.delete('content-length');
  const upstream = new StreamChunks(answer.body);
  const topUps = new StreamChunks(requestBody);
  const { body, client } = clientStream(options.signal);
  const outcome = pumpStream({
    meter: opened.meter,
    port: opened.port,
    upstream: unitBytes === undefined ? sseBlocksOf(upstream) : byteUnitsOf(upstream, unitBytes),
    topUps: readTopUpLines(topUps),
    client,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(options.log === undefined ? {} : { log: options.log }),
  }).then((result) => {
    // The handler's stream and the client's side of the duplex are no longer read.
    upstream.cancel();
    topUps.cancel();
    opened.release();
    return result;
  });
  return { response: new Response(body, { status: answer.status, headers }), outcome };
}
