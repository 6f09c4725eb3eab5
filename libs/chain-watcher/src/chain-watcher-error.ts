import { MicroraidenError } from '@microraiden/errors';

/** Stable codes of the chain-watcher's own errors. */
export type ChainWatcherErrorCode =
  | 'CHAIN_MISMATCH'
  | 'CHAIN_UNSTABLE'
  | 'TX_SEND_FAILED'
  | 'RECEIVER_FUNDS_INSUFFICIENT'
  | 'PROOF_SIGNATURE_INVALID';

/** Something the chain-watcher cannot do; `code` says what. */
export class ChainWatcherError extends MicroraidenError<ChainWatcherErrorCode> {
  override readonly name = 'ChainWatcherError';
}
