export * from './database-timeouts-env';
export * from './pg-pool';
export * from './postgres-probe';
export * from './retry-transient';
export * from './session-lock';
export * from './transaction';
export * from './transient-database-error';
