import { MicroraidenError } from '@microraiden/errors';

/** Why `npm run stack` could not bring the local stack up, or why its check failed. */
export type StackErrorCode =
  'STACK_INFRA_FAILED' | 'STACK_PORT_IN_USE' | 'STACK_SERVICE_FAILED' | 'STACK_CHECK_FAILED' | 'STACK_USAGE';

/** A failure of the local stack orchestration; `message` says what to look at (usually a log file). */
export class StackError extends MicroraidenError<StackErrorCode> {
  override readonly name = 'StackError';
}
