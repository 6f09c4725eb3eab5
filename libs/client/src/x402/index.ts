// `@microraiden/client/x402`: the microraiden-channel scheme for x402 clients (@x402/core, @x402/fetch).
export * from './microraiden-channel-scheme';
export * from './microraiden-x402-client';
export * from './x402-answer-decision';
