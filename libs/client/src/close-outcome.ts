import type { TransactionOptions } from './channel-operations';

/** A channel paid out on chain (ChannelSettled). */
export interface SettledChannel {
  readonly txHash: string;
  /** The final cumulative balance. */
  readonly balance: bigint;
  /** Paid to the receiver by this transaction (the rest had been withdrawn before). */
  readonly receiverPaid: bigint;
  /** Returned to the sender. */
  readonly senderRefund: bigint;
}

/** A requested uncooperative close: the challenge period runs until `settleAt`. */
export interface CloseRequested {
  readonly txHash: string;
  readonly balance: bigint;
  /** Unix time (chain clock) from which `settle` works. */
  readonly settleAt: bigint;
}

/** How `Channel.close` ended: settled at once with the receiver's signature, or a challenge period started. */
export type CloseOutcome =
  | ({ readonly kind: 'cooperative' } & SettledChannel)
  | {
      readonly kind: 'challenge';
      /** Why the cooperative close did not happen. */
      readonly reason: string;
      /** The uncooperativeClose transaction; null when the channel was already closing. */
      readonly txHash: string | null;
      readonly balance: bigint;
      readonly settleAt: bigint;
    };

/** Options of `Channel.close`: transaction progress, the gateway to ask, consent to a unilateral close. */
export interface CloseOptions extends TransactionOptions {
  /** The receiver's gateway (default: where paidFetch met it). */
  readonly receiverUrl?: string;
  /**
   * Asked with the reason when the cooperative close failed, before an uncooperative close is sent; false
   * leaves the channel open (COOPERATIVE_CLOSE_FAILED). Without it the close falls back at once.
   */
  readonly confirmUncooperative?: (reason: string) => Promise<boolean>;
}
