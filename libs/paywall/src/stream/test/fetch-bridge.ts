// Test support (under test/: not in the package): a fetch-standard handler served by node:http, as Hono's node
// server does it: the request body is handed over as a web stream while the response streams.
import { createServer, type Server } from 'node:http';
import { Readable } from 'node:stream';

/** A fetch handler behind node:http; the Request's signal aborts when the client leaves before the end. */
export function serveFetch(handle: (request: Request) => Promise<Response>): Server {
  return createServer((req, res) => {
    const gone = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    const bodyless = req.method === 'GET' || req.method === 'HEAD';
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method: req.method ?? 'GET',
      headers: Object.entries(req.headers).flatMap(([name, value]) =>
        value === undefined
          ? []
          : [[name, Array.isArray(value) ? value.join(', ') : value] as [string, string]],
      ),
      signal: gone.signal,
      ...(bodyless ? {} : { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' }),
    } as RequestInit);
    void handle(request).then(async (response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.flushHeaders();
      if (response.body !== null) {
        const reader = response.body.getReader();
        res.once('close', () => void reader.cancel().catch(() => undefined));
        for (;;) {
          const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
          if (done || res.destroyed) break;
          if (!res.write(value)) await new Promise((r) => (res.once('drain', r), res.once('close', r)));
        }
      }
      res.end();
    });
  });
}

/** SSE events as a web stream pulled one at a time (a handler's body that waits while the meter pauses). */
export function webStreamOf(events: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await events.next();
        if (done) controller.close();
        else controller.enqueue(encoder.encode(value));
      },
      async cancel() {
        await events.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
