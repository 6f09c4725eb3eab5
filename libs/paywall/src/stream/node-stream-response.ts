import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { AsyncQueue } from './async-queue';
import { ByteUnitCutter } from './byte-units';
import { SseSplitter } from './sse-splitter';
import type { StreamMeter } from '../core/stream-meter';
import { pumpNodeStream } from './node-stream-pump';
import { notEventStream, notEventStreamAnswer } from './stream-content-type';
import { BYTE_STREAM_TRAILERS, type StreamBlock, type StreamOutcome, type StreamPort } from './stream-pump';

/** A stream whose first proof is accepted: what the adapter meters the handler's response with. */
export interface OpenedStream {
  /** Receipt and challenge headers of the first acceptance (charge 0), sent with the response's head. */
  readonly headers: OutgoingHttpHeaders;
  readonly meter: StreamMeter;
  readonly port: StreamPort;
  /** Ends the stream's hold on the channel (its reservation); called once, after the stream ended. */
  release(): void;
}

/** Options of {@link meterNodeResponse}. */
export interface MeterNodeResponseOptions {
  /** How long a pause waits for a top-up (STREAM_TOPUP_TIMEOUT_MS); default 30 s. */
  readonly timeoutMs?: number;
  /** Events the handler may have written ahead of the client before `res.write` returns false. Default 16. */
  readonly highWaterEvents?: number;
  readonly log?: (message: string, extra: Record<string, string | number>) => void;
}

type WriteCallback = (err?: Error | null) => void;

function toText(chunk: unknown, encoding: unknown): string {
  if (typeof chunk === 'string') return chunk;
  const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
  return buffer.toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
}

/** A handler's chunk as bytes (a byte-metered stream): a copy, since the handler may reuse its buffer once called back. */
function toBytes(chunk: unknown, encoding: unknown): Uint8Array {
  if (typeof chunk === 'string')
    return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  return Uint8Array.from(chunk as Uint8Array);
}

/** The Content-Type among writeHead's arguments (an object of headers), else the one set with setHeader. */
function contentTypeOf(res: ServerResponse, args: readonly unknown[]): unknown {
  for (const arg of args)
    if (typeof arg === 'object' && arg !== null && !Array.isArray(arg))
      for (const [name, value] of Object.entries(arg))
        if (name.toLowerCase() === 'content-type') return value;
  return res.getHeader('content-type');
}

/** HTTP/1.1 or later: a chunked response, which can carry trailers (an HTTP/1.0 response cannot declare them). */
function takesTrailers(req: IncomingMessage): boolean {
  return req.httpVersionMajor > 1 || (req.httpVersionMajor === 1 && req.httpVersionMinor >= 1);
}

/** The head of a byte-metered stream declares its trailers (the receipt), where the client can take them. */
export function declareByteStreamTrailers(
  req: IncomingMessage,
  opened: OpenedStream,
): Record<string, string> {
  return opened.meter.pricing.unitBytes !== undefined && takesTrailers(req)
    ? { Trailer: BYTE_STREAM_TRAILERS }
    : {};
}

/**
 * Meters what the handler writes to `res` as a stream (the embedded adapter of a streamed route). The handler writes
 * SSE as it would without a paywall (`res.writeHead(200, { 'Content-Type': 'text/event-stream' })`, `res.write(...)`,
 * `res.end()`); its writes are cut into events, and every event with data is a unit that goes out only while the
 * client's authorisation covers it. `res.write` returns false while the handler is ahead of what may go out (a
 * pause, a slow client) and `res` emits `drain` when it may write again, as Node streams do; when the stream ends
 * early (client gone, no top-up in time) `res` closes, and what the handler writes afterwards is dropped. The request
 * body is read as top-up lines: the handler must not read it (a streamed route's input is in the URL and headers).
 * A response that is not 2xx is passed through unmetered and charged nothing.
 */
export function meterNodeResponse(
  req: IncomingMessage,
  res: ServerResponse,
  opened: OpenedStream,
  options: MeterNodeResponseOptions = {},
): Promise<StreamOutcome | undefined> {
  return new MeteredNodeResponse(req, res, opened, options).outcome;
}

/** The state of one metered response: the handler's writes in, the pump's writes out. */
class MeteredNodeResponse {
  readonly outcome: Promise<StreamOutcome | undefined>;
  private resolveOutcome!: (outcome: StreamOutcome | undefined) => void;
  private readonly original: Pick<ServerResponse, 'write' | 'end' | 'writeHead'>;
  private readonly upstream = new AsyncQueue<StreamBlock>();
  /** Cuts the handler's writes into units: SSE events, or byte units on a byte-metered route. */
  private readonly splitter: SseSplitter | ByteUnitCutter;
  private readonly bytes: boolean;
  private mode: 'pending' | 'metered' | 'passthrough' | 'refused' = 'pending';
  private needsDrain = false;
  private finished = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly opened: OpenedStream,
    private readonly options: MeterNodeResponseOptions,
  ) {
    this.outcome = new Promise((resolve) => (this.resolveOutcome = resolve));
    const { unitBytes } = opened.meter.pricing;
    this.bytes = unitBytes !== undefined;
    this.splitter = unitBytes === undefined ? new SseSplitter() : new ByteUnitCutter(unitBytes);
    const heads = { ...opened.headers, ...declareByteStreamTrailers(req, opened) };
    for (const [name, value] of Object.entries(heads)) if (value !== undefined) res.setHeader(name, value);
    this.original = {
      write: res.write.bind(res),
      end: res.end.bind(res),
      writeHead: res.writeHead.bind(res),
    };
    this.upstream.whenDrained(() => {
      if (!this.needsDrain) return;
      this.needsDrain = false;
      res.emit('drain');
    });
    this.intercept();
    // A client that leaves before the handler wrote anything: the stream still ends (and is charged nothing).
    res.once('close', () => {
      if (this.mode === 'pending') this.start();
    });
  }

  private intercept(): void {
    const { res, original } = this;
    // Node's own first write calls res.writeHead too (implicit headers): this must send them, not only record them.
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      const metered = status >= 200 && status <= 299;
      const args = rest.map((arg) =>
        metered && typeof arg === 'object' && arg !== null && !Array.isArray(arg)
          ? Object.fromEntries(
              Object.entries(arg).filter(([name]) => name.toLowerCase() !== 'content-length'),
            )
          : arg,
      );
      res.statusCode = status;
      this.choose(contentTypeOf(res, rest));
      if (this.mode === 'refused') return res;
      if (metered) res.removeHeader('content-length');
      return (original.writeHead as (...all: unknown[]) => ServerResponse)(status, ...args);
    }) as ServerResponse['writeHead'];
    res.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) => {
      this.choose(res.getHeader('content-type'));
      if (this.mode === 'passthrough')
        return original.write(chunk as string, encoding as BufferEncoding, callback as WriteCallback);
      const done = (typeof encoding === 'function' ? encoding : callback) as WriteCallback | undefined;
      if (!this.finished && !this.upstream.isClosed) this.push(chunk, encoding);
      if (done !== undefined) process.nextTick(done);
      const ahead = this.finished || this.upstream.size >= (this.options.highWaterEvents ?? 16);
      if (ahead) this.needsDrain = true;
      return !ahead;
    }) as ServerResponse['write'];
    res.end = ((chunk?: unknown, encoding?: unknown, callback?: unknown) => {
      this.choose(res.getHeader('content-type'));
      if (this.mode === 'passthrough')
        return original.end(chunk as string, encoding as BufferEncoding, callback as () => void);
      if (this.mode === 'refused') return res;
      if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') this.push(chunk, encoding);
      for (const block of this.splitter.end()) this.upstream.push(block);
      this.upstream.close();
      const done = [chunk, encoding, callback].find((arg) => typeof arg === 'function') as
        (() => void) | undefined;
      if (done !== undefined) res.once('finish', done);
      return res;
    }) as ServerResponse['end'];
  }

  private restore(): void {
    this.res.write = this.original.write;
    this.restoreEnd();
  }

  /**
   * After a metered stream ended, `res.write` stays this one, which drops what comes (returns false): a pipe into
   * `res` (Fastify's `reply.send(stream)`, Nest's SSE) may still write before it sees `finish`, and Node's own
   * write after `end` would emit an error nobody listens to.
   */
  private restoreEnd(): void {
    this.res.end = this.original.end;
    this.res.writeHead = this.original.writeHead;
  }

  /**
   * Metered or not is decided by the status, at the handler's first writeHead, write or end; a 2xx of an SSE-metered
   * route that is not an event stream is refused (STREAM_NOT_EVENT_STREAM) instead.
   */
  private choose(contentType: unknown): void {
    if (this.mode !== 'pending') return;
    if (this.res.statusCode >= 200 && this.res.statusCode <= 299) {
      return notEventStream(this.opened.meter.pricing, contentType) ? this.refuse() : this.start();
    }
    this.mode = 'passthrough';
    this.restore();
    this.upstream.discard();
    this.opened.release();
    this.resolveOutcome(undefined);
  }

  /** Nothing of the handler's answer goes out: a 502 with the first acceptance's receipt (charged nothing). */
  private refuse(): void {
    this.mode = 'refused';
    this.finished = true;
    this.upstream.discard();
    this.opened.release();
    // res.end and res.writeHead stay intercepted: the handler's own end and head are dropped.
    const answer = notEventStreamAnswer(this.opened.headers);
    this.res.statusCode = answer.status;
    this.res.removeHeader('content-length');
    this.original.writeHead(answer.status, answer.headers);
    this.original.end(answer.body);
    this.resolveOutcome(undefined);
  }

  private push(chunk: unknown, encoding: unknown): void {
    try {
      const blocks = this.bytes
        ? (this.splitter as ByteUnitCutter).push(toBytes(chunk, encoding))
        : (this.splitter as SseSplitter).push(toText(chunk, encoding));
      for (const block of blocks) this.upstream.push(block);
    } catch (err) {
      this.options.log?.('stream event too long', { error: (err as Error).message });
      this.upstream.close();
    }
  }

  private start(): void {
    this.mode = 'metered';
    const sink = {
      write: (chunk: string | Uint8Array) => this.original.write(chunk),
      end: () => {
        this.finished = true;
        this.restoreEnd();
        this.original.end();
      },
    };
    void pumpNodeStream(this.req, this.res, this.opened, this.upstream, this.options, sink).then((result) => {
      this.finished = true;
      this.restoreEnd();
      this.upstream.discard();
      // A handler waiting for `drain` wakes up and finds the response ended (its later writes are dropped).
      if (this.needsDrain) {
        this.needsDrain = false;
        this.res.emit('drain');
      }
      this.resolveOutcome(result);
    });
  }
}
