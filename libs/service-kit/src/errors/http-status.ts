import { MicroraidenError } from '@microraiden/errors';

const DEFAULT_STATUS_BY_CODE: Readonly<Record<string, number>> = {
  CONFIG_INVALID: 500,
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
};

/** The HTTP status of an error: errors may carry their own `httpStatus` (protocol errors do). */
export function httpStatusOf(err: unknown): number {
  if (err instanceof MicroraidenError) {
    const own = (err as MicroraidenError & { httpStatus?: unknown }).httpStatus;
    if (typeof own === 'number') return own;
    return DEFAULT_STATUS_BY_CODE[err.code] ?? 400;
  }
  return 500;
}
