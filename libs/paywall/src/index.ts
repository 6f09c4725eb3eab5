// The paywall, framework-free, by role: core decisions, postgres, chain, adapters, runtime, streams. services/gateway
// is a thin user of it (reverse-proxy mode). Test doubles are in `@microraiden/paywall/testing`, the browser page's
// script in ./browser, x402 in `@microraiden/paywall/x402`, not here.

// Decisions and ports: prices, verify-then-accept, metered charges, the channel store's interface, answers.
export * from './core/chain-channel-reads';
export * from './core/chain-guard';
export * from './core/channel-closer';
export * from './core/channel-projection';
export * from './core/channel-shard';
export * from './core/channel-snapshot';
export * from './core/channel-store';
export * from './core/close-endpoint';
export * from './core/gateway-error';
export * from './core/metered-charge';
export * from './core/micro-batcher';
export * from './core/payment-log';
export * from './core/paywall';
export * from './core/paywall-metrics';
export * from './core/paywall-page';
export * from './core/paywall-response';
export * from './core/pending-deposit-decision';
export * from './core/readiness';
export * from './core/receiver-key';
export * from './core/request-target';
export * from './core/reservation-book';
export * from './core/route-table';
export * from './core/routes-file';
export * from './core/stream-meter';

// The channel table, its shards and the projection of chain events into it.
export * from './postgres/channel-event-projector';
export * from './postgres/channel-queries';
export * from './postgres/gateway-schema';
export * from './postgres/gateway-shards';
export * from './postgres/pg-channel-store';
export * from './postgres/sharded-channel-projector';
export * from './postgres/sharded-channel-queries';
export * from './postgres/sharded-channel-store';

// Reading channels from the chain (the RPC reader, the chain-watcher probe) and following the chain-watcher's events.
export * from './chain/chain-watcher-probe';
export * from './chain/channel-following';
export * from './chain/paywall-chain';
export * from './chain/rpc-chain-channel-reader';

// Node HTTP: the plain middleware, the fetch-standard handler, the reverse proxy (Fastify and Nest are their own entry points).
export * from './adapters/paywall-fetch-handler';
export * from './adapters/paywall-middleware';
export * from './adapters/paywall-proxy';
export * from './adapters/upstream-client';

// One call that starts what an embedding process needs: migrations, projector, relay, close endpoint, metrics.
export * from './runtime/create-paywall';
export * from './runtime/paywall-runtime';
export * from './runtime/prometheus-paywall-metrics';
export * from './runtime/start-paywall';

// Streamed prices: the SSE splitter, top-up lines and the pump (the meter's decisions are in core).
export * from './stream';

// Not './x402': its declarations import @x402/core, an optional peer; it is the './x402' entry point instead, so a
// TypeScript app without @x402/core type-checks the main entry.
