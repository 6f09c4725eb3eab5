export * from './migration';
export * from './migration-error';
export * from './plan-migrations';
export * from './run-migrations';
