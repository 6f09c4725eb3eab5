import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { AsyncQueue } from './async-queue';
import { SseSplitter, type SseBlock } from './sse-splitter';
import type { StreamMeter } from '../core/stream-meter';
import { pumpNodeStream } from './node-stream-pump';
import type { StreamOutcome, StreamPort } from './stream-pump';

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
  private readonly upstream = new AsyncQueue<SseBlock>();
  private readonly splitter = new SseSplitter();
  private mode: 'pending' | 'metered' | 'passthrough' = 'pending';
  private needsDrain = false;
  private finished = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly opened: OpenedStream,
    private readonly options: MeterNodeResponseOptions,
  ) {
    this.outcome = new Promise((resolve) => (this.resolveOutcome = resolve));
    for (const [name, value] of Object.entries(opened.headers))
      if (value !== undefined) res.setHeader(name, value);
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
      this.choose();
      if (metered) res.removeHeader('content-length');
      return (original.writeHead as (...all: unknown[]) => ServerResponse)(status, ...args);
    }) as ServerResponse['writeHead'];
    res.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) => {
      this.choose();
      if (this.mode === 'passthrough')
        return original.write(chunk as string, encoding as BufferEncoding, callback as WriteCallback);
      const done = (typeof encoding === 'function' ? encoding : callback) as WriteCallback | undefined;
      if (!this.finished && !this.upstream.isClosed) this.push(toText(chunk, encoding));
      if (done !== undefined) process.nextTick(done);
      const ahead = this.finished || this.upstream.size >= (this.options.highWaterEvents ?? 16);
      if (ahead) this.needsDrain = true;
      return !ahead;
    }) as ServerResponse['write'];
    res.end = ((chunk?: unknown, encoding?: unknown, callback?: unknown) => {
      this.choose();
      if (this.mode === 'passthrough')
        return original.end(chunk as string, encoding as BufferEncoding, callback as () => void);
      if (chunk !== undefined && chunk !== null && typeof chunk !== 'function')
        this.push(toText(chunk, encoding));
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

  /** Metered or not is decided by the status, at the handler's first writeHead, write or end. */
  private choose(): void {
    if (this.mode !== 'pending') return;
    if (this.res.statusCode >= 200 && this.res.statusCode <= 299) return this.start();
    this.mode = 'passthrough';
    this.restore();
    this.upstream.discard();
    this.opened.release();
    this.resolveOutcome(undefined);
  }

  private push(text: string): void {
    try {
      for (const block of this.splitter.push(text)) this.upstream.push(block);
    } catch (err) {
      this.options.log?.('stream event too long', { error: (err as Error).message });
      this.upstream.close();
    }
  }

  private start(): void {
    this.mode = 'metered';
    const sink = {
      write: (text: string) => this.original.write(text),
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
