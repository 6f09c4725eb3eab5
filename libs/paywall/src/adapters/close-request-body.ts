import type { IncomingMessage } from 'node:http';

/** The largest close request body read: `{ balance, balanceSignature }` is under 300 bytes. */
export const MAX_CLOSE_BODY_BYTES = 16 * 1024;

/**
 * The JSON body of a close request on a Node request: the one a body parser of the app already read (`req.body`),
 * else read here. Undefined when there is none, it is not JSON, or it is too large: the closer then looks at the
 * query and answers PAYMENT_MALFORMED when the parts are missing there too.
 */
export async function closeRequestBody(req: IncomingMessage & { body?: unknown }): Promise<unknown> {
  if (req.body !== undefined)
    return typeof req.body === 'string' || Buffer.isBuffer(req.body) ? parseJson(req.body) : req.body;
  if (req.readableEnded) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_CLOSE_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return chunks.length === 0 ? undefined : parseJson(Buffer.concat(chunks));
}

/**
 * The same for a fetch-standard `Request`, read with the same bound: `request.json()` would buffer any size a
 * client sends before failing.
 */
export async function closeFetchRequestBody(request: Request): Promise<unknown> {
  if (request.body === null) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_CLOSE_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return chunks.length === 0 ? undefined : parseJson(Buffer.concat(chunks));
}

function parseJson(text: string | Buffer): unknown {
  try {
    return JSON.parse(text.toString()) as unknown;
  } catch {
    return undefined;
  }
}
