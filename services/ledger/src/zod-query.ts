import type { z } from 'zod';
import { LedgerApiError } from './ledger-api-error';

/** Validate request input once at the edge; a failure is a VALIDATION_FAILED (400) naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success)
    throw new LedgerApiError(
      'VALIDATION_FAILED',
      result.error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`).join('; '),
    );
  return result.data;
}
