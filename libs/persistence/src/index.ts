export * from './postgres-probe';
