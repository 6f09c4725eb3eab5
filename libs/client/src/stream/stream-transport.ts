import type { HeaderSource } from '@microraiden/protocol';

/** One streamed exchange: the response as it arrives, and the request body still open for top-up lines. */
export interface StreamExchange {
  readonly status: number;
  readonly headers: HeaderSource;
  readonly body: AsyncIterable<Uint8Array>;
  /** Writes a line on the request body (a duplex transport only). */
  send(line: string): void;
  /** Closes the request body: no more top-ups. */
  endRequest(): void;
  /** Drops the exchange (the caller stopped reading). */
  abort(): void;
  /** The response's HTTP/1.1 trailers once the body ended; undefined where the transport cannot read them (fetch). */
  trailers(): HeaderSource | undefined;
}

/** How a streamed request goes out. */
export interface StreamTransport {
  /**
   * True when the request body can still be written while the response streams (Node's http.request). Browsers'
   * fetch cannot: there the client authorises its whole budget in the first proof.
   */
  readonly duplex: boolean;
  open(
    url: URL,
    init: {
      readonly method: string;
      readonly headers: Record<string, string>;
      /** Keep the request body open for top-up lines (duplex transports only). */
      readonly keepBodyOpen: boolean;
      readonly signal?: AbortSignal;
    },
  ): Promise<StreamExchange>;
}

async function* readerChunks(body: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  if (body === null) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * The fetch transport (browsers, and wherever node:http is missing). Not duplex: undici's fetch (Node 20's global
 * one and undici 7) resolves the response only after a streamed request body ended, and browsers do not stream
 * request bodies over HTTP/1.1 at all, so the request goes without a body and the first proof authorises the budget.
 */
export function fetchStreamTransport(doFetch: typeof fetch = globalThis.fetch): StreamTransport {
  return {
    duplex: false,
    async open(url, init) {
      const controller = new AbortController();
      init.signal?.addEventListener('abort', () => controller.abort(), { once: true });
      const response = await doFetch(url, {
        method: init.method,
        headers: init.headers,
        signal: controller.signal,
      });
      return {
        status: response.status,
        headers: response.headers,
        body: readerChunks(response.body),
        send: () => {
          throw new Error('the fetch transport cannot write a request body while the response streams');
        },
        endRequest: () => undefined,
        abort: () => controller.abort(),
        // The fetch standard has no trailers: a byte stream's cost is then computed from the bytes received.
        trailers: () => undefined,
      };
    },
  };
}
