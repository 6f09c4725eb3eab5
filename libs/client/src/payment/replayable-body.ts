import { ClientError } from '../client-error';

/** A request body that can be sent more than once: the paid retry must carry the same bytes. */
export type ReplayableBody = string | ArrayBuffer | ArrayBufferView | Blob | URLSearchParams | FormData;

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return new TextEncoder().encode(chunk);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new ClientError(
    'BODY_NOT_REPLAYABLE',
    'the request body stream yields chunks that are not bytes or text',
  );
}

/**
 * The request body in a form fetch can send again. Strings, buffers, Blobs, URLSearchParams and FormData
 * are re-readable and pass through; a stream (web ReadableStream or a Node Readable) is read into memory
 * up to `maxBytes`, and refused with BODY_NOT_REPLAYABLE beyond that — a paid request is sent at least
 * twice (402, then paid), so a one-shot stream cannot be its body.
 */
export async function replayableBody(body: unknown, maxBytes: number): Promise<ReplayableBody | undefined> {
  if (body === undefined || body === null) return undefined;
  if (
    typeof body === 'string' ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    body instanceof Blob ||
    body instanceof URLSearchParams ||
    body instanceof FormData
  ) {
    return body;
  }
  const source: AsyncIterable<unknown> | undefined =
    body instanceof ReadableStream
      ? (body as unknown as AsyncIterable<unknown>)
      : isAsyncIterable(body)
        ? body
        : undefined;
  if (!source) {
    throw new ClientError(
      'BODY_NOT_REPLAYABLE',
      'the request body type cannot be sent twice; pass bytes, text or a stream',
    );
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of source) {
    const bytes = toBytes(chunk);
    total += bytes.byteLength;
    if (total > maxBytes) {
      throw new ClientError(
        'BODY_NOT_REPLAYABLE',
        `the streamed request body is larger than ${maxBytes} bytes; a paid request is sent twice, so its body is buffered — pass it as bytes or raise maxBufferedBodyBytes`,
        { maxBytes },
      );
    }
    chunks.push(bytes);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
