export * from './rpc-probe';
