// The echo service: answers what it received (method, path, query, body) as JSON. The routes file prices
// it per method, so a POST costs more than a GET without the service knowing.
import type { IncomingMessage } from 'node:http';
import type { DemoApp } from '../demo-app';
import { sendJson } from '../http-response';
import { echoBody, EchoBodyError, queryObject, type EchoedRequest } from './echo-request';

/** Largest body echoed back. */
export const MAX_ECHO_BODY_BYTES = 64 * 1024;

/** The echo demo: any method on `/echo` (and `/echo/...`); `/api/echo` for the stack's smoke check. */
export function createEchoApp(): DemoApp {
  return {
    name: 'echo',
    mounts: ['/echo', '/echo/', '/api/echo'],
    async handle(req, res, url) {
      try {
        const text = await readBody(req);
        const echoed: EchoedRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: queryObject(url.searchParams),
          body: echoBody(req.headers['content-type'], text),
        };
        sendJson(res, 200, echoed);
      } catch (err) {
        if (!(err instanceof EchoBodyError)) throw err;
        sendJson(res, err.code === 'BODY_TOO_LARGE' ? 413 : 400, { error: err.toJSON() });
      }
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_ECHO_BODY_BYTES) {
      req.resume(); // drain the rest so the connection stays usable for the answer
      throw new EchoBodyError('BODY_TOO_LARGE', `the body exceeds ${MAX_ECHO_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
