export * from './config-error';
export * from './config-schemas';
export * from './load-config';
