import { DEAD_LETTER_HEADERS } from '@microraiden/events';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { deadLetterRecord } from './dead-letter-record';

function aMessage(overrides: { key?: Buffer | null; value?: Buffer | null } = {}): KafkaMessage {
  return {
    key: Buffer.from('0xkey'),
    value: Buffer.from('payload'),
    timestamp: '0',
    attributes: 0,
    offset: '42',
    headers: { 'event-type': Buffer.from('channel.created'), trace: ['a', 'b'] },
    ...overrides,
  };
}

describe('deadLetterRecord', () => {
  const reason = {
    code: 'EVENT_SCHEMA_MISMATCH',
    message: 'bad',
    topic: 'orig',
    partition: 3,
    groupId: 'ledger',
  };

  it('keeps key, bytes and original headers, and adds the reason', () => {
    const record = deadLetterRecord('dlq', aMessage(), reason);
    expect(record.topic).toBe('dlq');
    expect(record.key).toEqual(Buffer.from('0xkey'));
    expect(record.value).toEqual(Buffer.from('payload'));
    expect(record.headers['event-type']).toEqual(Buffer.from('channel.created'));
    expect(record.headers.trace).toBe('b');
    expect(record.headers).toMatchObject({
      [DEAD_LETTER_HEADERS.originalTopic]: 'orig',
      [DEAD_LETTER_HEADERS.originalPartition]: '3',
      [DEAD_LETTER_HEADERS.originalOffset]: '42',
      [DEAD_LETTER_HEADERS.errorCode]: 'EVENT_SCHEMA_MISMATCH',
      [DEAD_LETTER_HEADERS.errorMessage]: 'bad',
      [DEAD_LETTER_HEADERS.consumerGroup]: 'ledger',
    });
    expect(Date.parse(String(record.headers[DEAD_LETTER_HEADERS.failedAt]))).not.toBeNaN();
  });

  it('copies a tombstone as a tombstone and truncates long reasons', () => {
    const record = deadLetterRecord('dlq', aMessage({ value: null, key: null }), {
      ...reason,
      message: 'x'.repeat(5_000),
    });
    expect(record.value).toBeNull();
    expect(record.key).toBeNull();
    expect(String(record.headers[DEAD_LETTER_HEADERS.errorMessage])).toHaveLength(1_000);
  });
});
