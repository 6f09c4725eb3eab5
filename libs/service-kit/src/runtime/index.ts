export * from './background-tasks';
export * from './backoff';
export * from './every';
export * from './retry-until-started';
export * from './service-lifecycle';
export * from './service-runtime';
// The one abortable sleep lives in libs/persistence (its retryTransient and libs/kafka need it too).
export { sleep } from '@microraiden/persistence';
