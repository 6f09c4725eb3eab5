// Streamed routes (docs/protocol.md, "Streamed prices"): the SSE splitter, the top-up line reader.
export * from './sse-splitter';
export * from './sse-blocks';
export * from './top-up-lines';
export * from './async-queue';
export * from './stream-pump';
