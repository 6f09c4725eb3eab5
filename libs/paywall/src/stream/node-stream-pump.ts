import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MeterNodeResponseOptions, OpenedStream } from './node-stream-response';
import { pumpStream, type StreamBlock, type StreamOutcome } from './stream-pump';
import { readTopUpLines } from './top-up-lines';

/** How the pump writes to the client's response (the embedded adapter writes past its own interception). */
export interface NodeStreamSink {
  /** Writes to `res`; false when the socket is full (`res` emits `drain` later), as `res.write`. */
  write(chunk: string | Uint8Array): boolean;
  end(): void;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Runs one opened stream on a Node response whose head is written or set: units from `upstream` go out on `res` as
 * the meter allows, top-up lines are read from `req`'s body, and the client is gone when `res` closes before the pump
 * ended it. Once the stream ended it stops reading `req` (the client's side of the duplex may still be open) and
 * releases the stream's hold on the channel. Never rejects.
 */
export async function pumpNodeStream(
  req: IncomingMessage,
  res: ServerResponse,
  opened: OpenedStream,
  upstream: AsyncIterable<StreamBlock>,
  options: MeterNodeResponseOptions = {},
  sink: NodeStreamSink = { write: (chunk) => res.write(chunk), end: () => res.end() },
): Promise<StreamOutcome> {
  const gone = new AbortController();
  let ended = false;
  if (res.closed) gone.abort();
  else
    res.once('close', () => {
      if (!ended) gone.abort();
    });
  const client = {
    write: (chunk: string | Uint8Array) =>
      new Promise<void>((resolve) => {
        if (res.destroyed || sink.write(chunk)) return resolve();
        // A response closed while full never drains: its close lets the pump go on (to see the client gone).
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      }),
    end: (trailers?: Readonly<Record<string, string>>) => {
      ended = true;
      // Sent only on a chunked response whose head declared them (`Trailer:`); Node drops them otherwise.
      if (trailers !== undefined && Object.keys(trailers).length > 0 && res.chunkedEncoding)
        res.addTrailers(trailers);
      sink.end();
    },
    gone: gone.signal,
  };
  try {
    return await pumpStream({
      meter: opened.meter,
      port: opened.port,
      upstream,
      topUps: readTopUpLines(req),
      client,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(options.log === undefined ? {} : { log: options.log }),
    });
  } finally {
    ended = true;
    req.resume();
    opened.release();
  }
}
