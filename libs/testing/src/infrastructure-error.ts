import { MicroraidenError, type ErrorDetails } from '@microraiden/errors';

export type InfrastructureErrorCode =
  | 'INFRA_UNREACHABLE' // an env var points at a service that does not answer
  | 'INFRA_START_FAILED' // a container or local process could not be started
  | 'INFRA_MISCONFIGURED'; // an env var is malformed or a required tool is missing

/** The integration-test infrastructure cannot provide a real service; the message says what to fix. */
export class InfrastructureError extends MicroraidenError<InfrastructureErrorCode> {
  override readonly name = 'InfrastructureError';

  constructor(code: InfrastructureErrorCode, message: string, details: ErrorDetails = {}, cause?: unknown) {
    super(code, message, details, cause === undefined ? undefined : { cause });
  }
}
