import { MicroraidenError } from '@microraiden/errors';

/** Stable codes of {@link LedgerStoreError}. */
export type LedgerStoreErrorCode =
  'LEDGER_DUPLICATE_APPLICATION' | 'LEDGER_IN_USE' | 'LEDGER_REBUILD_RUNNING';

/**
 * A store-level refusal: the audit trail's unique guard caught a second application of an event (a projection
 * bug, never retried), or the projection-writer lock is held by the other kind of writer (live vs rebuild).
 */
export class LedgerStoreError extends MicroraidenError<LedgerStoreErrorCode> {
  override readonly name = 'LedgerStoreError';
}
