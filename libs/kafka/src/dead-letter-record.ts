import { DEAD_LETTER_HEADERS } from '@microraiden/events';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { OutboundRecord } from './record-producer';

/** Why and where a message failed. */
export interface DeadLetterReason {
  code: string;
  message: string;
  topic: string;
  partition: number;
  groupId: string;
}

const MAX_REASON_LENGTH = 1_000;

/** The dead-letter copy of `message`: same key and bytes, original headers plus the reason headers. */
export function deadLetterRecord(
  deadLetterTopic: string,
  message: KafkaMessage,
  reason: DeadLetterReason,
): OutboundRecord {
  return {
    topic: deadLetterTopic,
    key: message.key ?? null,
    value: message.value ?? null,
    headers: {
      ...flattenHeaders(message.headers),
      [DEAD_LETTER_HEADERS.originalTopic]: reason.topic,
      [DEAD_LETTER_HEADERS.originalPartition]: String(reason.partition),
      [DEAD_LETTER_HEADERS.originalOffset]: message.offset,
      [DEAD_LETTER_HEADERS.errorCode]: reason.code,
      [DEAD_LETTER_HEADERS.errorMessage]: reason.message.slice(0, MAX_REASON_LENGTH),
      [DEAD_LETTER_HEADERS.consumerGroup]: reason.groupId,
      [DEAD_LETTER_HEADERS.failedAt]: new Date().toISOString(),
    },
  };
}

/** kafkajs allows repeated headers as arrays; the last value wins in the copy. */
function flattenHeaders(headers: IHeaders | undefined): Record<string, string | Buffer> {
  const flat: Record<string, string | Buffer> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const single = Array.isArray(value) ? value[value.length - 1] : value;
    if (single !== undefined) flat[name] = single;
  }
  return flat;
}
