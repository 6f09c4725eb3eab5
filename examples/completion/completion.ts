import type { IncomingMessage, ServerResponse } from 'node:http';

const TEXT =
  'Payment channels let a client pay a server many small amounts with one deposit on chain: each payment is a ' +
  'signed balance, and only the last one is ever settled. ';

/** Options of {@link completionHandler}. */
export interface CompletionOptions {
  /** Pause between tokens, as a model generating them would. Default 20 ms. */
  readonly delayMs?: number;
  /** Most tokens one request may ask for (`max_tokens`). Default 200. */
  readonly maxTokens?: number;
}

/**
 * An LLM-style completion (no model: it streams a fixed text word by word) that streams one token per server-sent
 * event: `event: token`, `data: {"index":n,"token":"…"}`, then the comment `: done` before it ends (a comment, not an
 * event with data: a streamed route charges every event with data, comments are free, so the charge is exactly the
 * tokens). It knows nothing about payments: behind a streamed route (`"stream": { "unitPrice": …, "unitsPerStep": …
 * }`, docs/protocol.md 7.3) each token is a charged unit. It takes its input from the URL (`?prompt=…&max_tokens=n`),
 * as a streamed route's request body carries the client's top-ups, honours `res.write`'s backpressure, and stops when
 * the response is closed (the client left, or the paywall ended the stream).
 */
export function completionHandler(options: CompletionOptions = {}) {
  const delayMs = options.delayMs ?? 20;
  const maxTokens = options.maxTokens ?? 200;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const asked = Number(url.searchParams.get('max_tokens') ?? '50');
    const count = Number.isSafeInteger(asked) && asked > 0 ? Math.min(asked, maxTokens) : 50;
    const words = `${url.searchParams.get('prompt') ?? ''} ${TEXT}`.trim().split(/\s+/);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (let index = 0; index < count; index++) {
      if (res.writableEnded || res.destroyed) return;
      const token = `${words[index % words.length]} `;
      const event = `event: token\ndata: ${JSON.stringify({ index, token })}\n\n`;
      if (!res.write(event)) await new Promise((resolve) => res.once('drain', resolve));
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    if (!res.writableEnded && !res.destroyed) res.end(': done\n\n');
  };
}
