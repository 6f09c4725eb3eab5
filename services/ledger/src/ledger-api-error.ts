import { MicroraidenError } from '@microraiden/errors';

type LedgerApiErrorCode = 'NOT_FOUND' | 'VALIDATION_FAILED' | 'LEDGER_NOT_READY' | 'UNAUTHORIZED';

const STATUS: Record<LedgerApiErrorCode, number> = {
  NOT_FOUND: 404,
  VALIDATION_FAILED: 400,
  LEDGER_NOT_READY: 503,
  UNAUTHORIZED: 401,
};

/** An error of the query API; the service kit's filter answers it with `httpStatus`. */
export class LedgerApiError extends MicroraidenError<LedgerApiErrorCode> {
  override readonly name = 'LedgerApiError';

  get httpStatus(): number {
    return STATUS[this.code];
  }
}
