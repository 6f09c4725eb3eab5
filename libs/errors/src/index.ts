export * from './microraiden-error';
