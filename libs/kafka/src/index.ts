export * from './kafka-client';
export * from './kafka-probe';
export * from './event-producer';
export * from './event-consumer';
export * from './retry-policy';
export * from './outbox';
export * from './outbox-relay';
export * from './topic-admin';
