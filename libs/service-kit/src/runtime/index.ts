export * from './background-tasks';
export * from './backoff';
export * from './every';
export * from './retry-until-started';
export * from './service-lifecycle';
export * from './service-runtime';
export * from './sleep';
