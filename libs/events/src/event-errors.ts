import { MicroraidenError } from '@microraiden/errors';
import type { z } from 'zod';

/** Why bytes could not become a {@link MicroraidenEvent}; stable codes consumers put in dead-letter headers. */
export type EventDecodeErrorCode =
  'EVENT_MALFORMED' | 'EVENT_UNKNOWN_TYPE' | 'EVENT_UNKNOWN_VERSION' | 'EVENT_SCHEMA_MISMATCH';

/** A message is not a valid event for this build: not JSON/no envelope, unknown type or version, or bad fields. */
export class EventDecodeError extends MicroraidenError<EventDecodeErrorCode> {
  override readonly name = 'EventDecodeError';
}

/** encodeEvent was handed a value that does not satisfy its schema: a producer bug, never sent. */
export class EventEncodeError extends MicroraidenError<'EVENT_INVALID'> {
  override readonly name = 'EventEncodeError';
}

/** One line per issue, `path: message`; zod messages name expectations, not the offending values. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
