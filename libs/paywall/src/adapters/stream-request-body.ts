import type { IncomingHttpHeaders } from 'node:http';

/**
 * Keeps a streamed request's body (the client's top-up lines, docs/protocol.md 7.3) from the framework's body parser:
 * without its framing headers the request reads as one without a body, so Fastify runs the handler at once instead of
 * answering 415 for `application/x-ndjson` (or waiting for the end of a body that ends only with the stream), and
 * Express's parsers skip it. The meter reads the body off the request itself. Call it before parsing (Fastify's
 * `onRequest`, a Nest middleware), for a streamed route only: its handler then sees a request without a body.
 */
export function leaveBodyToMeter(headers: IncomingHttpHeaders): void {
  delete headers['content-type'];
  delete headers['content-length'];
  delete headers['transfer-encoding'];
}
