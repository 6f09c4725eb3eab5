import { logLevel, type LogEntry } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaLogLine } from './kafka-client';

const entry = (log: Record<string, unknown>): LogEntry =>
  ({
    namespace: 'Connection',
    level: logLevel.WARN,
    label: 'WARN',
    log: { timestamp: '2026-12-03T13:00:00.000Z', logger: 'kafkajs', ...log },
  }) as unknown as LogEntry;

describe('kafkaLogLine', () => {
  it("keeps kafkajs' message and fields, with the namespace, without its clock", () => {
    const line = kafkaLogLine(
      entry({ message: 'Connection error: connect ECONNREFUSED', broker: 'b:9092', retryCount: 2 }),
    );
    expect(line).toEqual({
      level: 'warn',
      message: 'Connection error: connect ECONNREFUSED',
      extra: { namespace: 'Connection', broker: 'b:9092', retryCount: 2 },
    });
  });

  it('never gives an empty message', () => {
    expect(kafkaLogLine(entry({ message: '' })).message).toBe('WARN (no message)');
    expect(kafkaLogLine(entry({})).message).toBe('WARN (no message)');
  });
});
