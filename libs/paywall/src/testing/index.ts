// Test doubles for applications embedding the paywall (`@microraiden/paywall/testing`): never for production.
export * from './in-memory-channel-store';
export * from './test-paywall';
