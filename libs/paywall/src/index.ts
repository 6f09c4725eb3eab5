// The gateway's logic, framework-free: route prices, the paywall decision (verify before, accept exactly once
// after the upstream), the shared channel table and its projection from chain events, cooperative close, the
// reverse proxy and the plain Node middleware. services/gateway wires it into Nest. Test doubles are in
// `@microraiden/paywall/testing`, not here.
export * from './chain-channel-reads';
export * from './chain-guard';
export * from './create-paywall';
export * from './channel-closer';
export * from './channel-event-projector';
export * from './channel-projection';
export * from './channel-queries';
export * from './channel-snapshot';
export * from './channel-store';
export * from './gateway-error';
export * from './gateway-schema';
export * from './micro-batcher';
export * from './paywall';
export * from './paywall-metrics';
export * from './paywall-fetch-handler';
export * from './paywall-middleware';
export * from './paywall-page';
export * from './paywall-proxy';
export * from './payment-log';
export * from './paywall-response';
export * from './pending-deposit-decision';
export * from './pg-channel-store';
export * from './prometheus-paywall-metrics';
export * from './receiver-key';
export * from './request-target';
export * from './reservation-book';
export * from './route-table';
export * from './routes-file';
export * from './rpc-chain-channel-reader';
export * from './stream';
export * from './upstream-client';
export * from './x402';
