import { describe, expect, it } from 'vitest';
import { relayLeaderLockName } from './outbox-relay-leadership';
import { outboxTable } from './outbox-table';

describe('relayLeaderLockName', () => {
  it('names one leadership per outbox table, by the convention of libs/persistence', () => {
    expect(relayLeaderLockName(outboxTable().table)).toBe('microraiden.kafka.outbox-relay-leader "outbox"');
    expect(relayLeaderLockName(outboxTable('shop.outbox').table)).not.toBe(
      relayLeaderLockName(outboxTable().table),
    );
  });
});
