export * from './bootstrap-service';
export * from './health/dependency-check';
export * from './health/health.module';
export * from './metrics/metrics.module';
export * from './errors/http-error.filter';
export * from './errors/http-status';
export * from './logging/logger-options';
export * from './lifecycle/shutdown-deadline';
