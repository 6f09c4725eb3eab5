import type { ChannelRecord } from '../state/channel-record';

/** What to send for the next paid request on a channel. */
export type PaymentStep =
  /** Re-send the latest signed proof: it pays at least the price over what the receiver is known to hold. */
  | { readonly kind: 'reuse'; readonly balance: bigint; readonly base: bigint }
  /** Sign a new proof for `balance`. */
  | { readonly kind: 'sign'; readonly balance: bigint; readonly base: bigint }
  | { readonly kind: 'insufficient'; readonly balance: bigint; readonly base: bigint };

/**
 * The balance of the next payment of `price`. The receiver charges `balance - L` where L is the last
 * balance it accepted; the client's best knowledge of L is the acknowledged balance (`base`; when unknown,
 * every signed proof is assumed accepted). A signed proof the receiver never accepted (its answer was a
 * 5xx, or lost) is re-sent instead of signing on top of it, as long as it pays between `price` and
 * `maxIncrement`; otherwise the new balance is `base + price`, or `signed + price` if that is not above
 * what was already signed — signed balances only grow.
 */
export function nextPaymentBalance(record: ChannelRecord, price: bigint, maxIncrement: bigint): PaymentStep {
  const base = record.acknowledgedBalance ?? record.signedBalance;
  const pending = record.signedBalance - base;
  if (record.balanceSignature !== null && pending >= price && pending <= maxIncrement) {
    return { kind: 'reuse', balance: record.signedBalance, base };
  }
  let balance = base + price;
  if (balance <= record.signedBalance) balance = record.signedBalance + price;
  return balance > record.deposit ? { kind: 'insufficient', balance, base } : { kind: 'sign', balance, base };
}
