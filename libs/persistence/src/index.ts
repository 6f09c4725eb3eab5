export * from './postgres-probe';
export * from './session-lock';
