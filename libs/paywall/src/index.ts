// The gateway's logic, framework-free: route prices, the paywall decision (verify before, accept exactly once
// after the upstream), the shared channel table and its projection from chain events, cooperative close, the
// reverse proxy and the plain Node middleware. services/gateway wires it into Nest. Test doubles are in
// `@microraiden/paywall/testing`, not here.
export * from './chain-channel-reads';
export * from './chain-guard';
export * from './create-paywall';
export * from './channel-closer';
export * from './channel-event-projector';
export * from './channel-following';
export * from './channel-projection';
export * from './channel-queries';
export * from './channel-shard';
export * from './channel-snapshot';
export * from './channel-store';
export * from './close-endpoint';
export * from './gateway-error';
export * from './gateway-schema';
export * from './gateway-shards';
export * from './metered-charge';
export * from './micro-batcher';
export * from './paywall';
export * from './paywall-chain';
export * from './paywall-metrics';
export * from './paywall-fetch-handler';
export * from './paywall-middleware';
export * from './paywall-page';
export * from './paywall-proxy';
export * from './payment-log';
export * from './paywall-response';
export * from './paywall-runtime';
export * from './pending-deposit-decision';
export * from './pg-channel-store';
export * from './readiness';
export * from './prometheus-paywall-metrics';
export * from './receiver-key';
export * from './request-target';
export * from './reservation-book';
export * from './route-table';
export * from './routes-file';
export * from './sharded-channel-projector';
export * from './sharded-channel-queries';
export * from './sharded-channel-store';
export * from './start-paywall';
export * from './rpc-chain-channel-reader';
export * from './stream';
export * from './upstream-client';
// Not './x402': its declarations import @x402/core, an optional peer; it is the './x402' entry point instead, so a
// TypeScript app without @x402/core type-checks the main entry.
