import { SseSplitter, type SseBlock } from './sse-splitter';

/**
 * The events of an SSE body (an upstream's response, bytes or text), one at a time as the consumer pulls: the body is
 * read only while the consumer pulls, so a consumer that stops (a stream paused for a top-up) stops reading it, and
 * one that returns early ends (destroys) it. UTF-8 split across chunks is decoded whole; an event longer than the
 * splitter's bound throws SseEventTooLongError.
 */
export async function* sseBlocksOf(
  body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  splitter = new SseSplitter(),
): AsyncGenerator<SseBlock> {
  for await (const chunk of body) yield* splitter.push(chunk);
  yield* splitter.end();
}
