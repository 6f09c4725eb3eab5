/**
 * Headers every published event carries, so tools can route or filter without decoding the payload. The payload
 * stays the source of truth.
 */
export const EVENT_HEADERS = {
  id: 'event-id',
  type: 'event-type',
  version: 'event-version',
} as const;

/** Headers a consumer adds when it moves a message to the dead-letter topic (the original headers are kept). */
export const DEAD_LETTER_HEADERS = {
  originalTopic: 'dead-letter-original-topic',
  originalPartition: 'dead-letter-original-partition',
  originalOffset: 'dead-letter-original-offset',
  /** Stable error code, e.g. `EVENT_SCHEMA_MISMATCH` or the handler's MicroraidenError code. */
  errorCode: 'dead-letter-error-code',
  /** Human-readable reason (never contains secrets; truncated). */
  errorMessage: 'dead-letter-error-message',
  consumerGroup: 'dead-letter-consumer-group',
  /** ISO instant at which the message was dead-lettered. */
  failedAt: 'dead-letter-failed-at',
} as const;

/** Headers of one event as a plain record (Kafka header values are strings here). */
export function eventHeaders(event: { id: string; type: string; version: number }): Record<string, string> {
  return {
    [EVENT_HEADERS.id]: event.id,
    [EVENT_HEADERS.type]: event.type,
    [EVENT_HEADERS.version]: String(event.version),
  };
}
