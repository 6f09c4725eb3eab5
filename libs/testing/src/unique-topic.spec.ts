import { describe, expect, it } from 'vitest';
import { uniqueTopic } from './unique-topic';

describe('uniqueTopic', () => {
  it('keeps the prefix and never repeats', () => {
    const names = new Set(Array.from({ length: 1000 }, () => uniqueTopic('payments')));
    expect(names.size).toBe(1000);
    for (const name of names) expect(name).toMatch(/^payments\.[a-z0-9]+-[0-9a-f]{8}$/);
  });

  it('replaces characters Kafka rejects in topic names', () => {
    expect(uniqueTopic('ledger events/v1')).toMatch(/^ledger-events-v1\./);
  });
});
