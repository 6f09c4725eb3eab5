import { describe, expect, it } from 'vitest';
import { outboxTable } from './outbox-table';

describe('outboxTable', () => {
  it('quotes the default and schema-qualified names', () => {
    expect(outboxTable()).toEqual({ table: '"outbox"', indexPrefix: 'outbox', channel: 'outbox_pending' });
    expect(outboxTable('gateway.outbox')).toEqual({
      table: '"gateway"."outbox"',
      indexPrefix: 'outbox',
      channel: 'gateway_outbox_pending',
    });
  });

  it.each(['Outbox', 'outbox; DROP TABLE x', 'a.b.c', '"outbox"', '', '1outbox'])('refuses %j', (name) => {
    expect(() => outboxTable(name)).toThrow(/invalid outbox table name/);
  });
});
