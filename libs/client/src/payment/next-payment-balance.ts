import { chargedBalanceOf, type ChannelRecord } from '../state/channel-record';

/** What to send for the next paid request on a channel. */
export type PaymentStep =
  /** Re-send the latest signed proof: it pays at least the price over what the receiver is known to hold. */
  | { readonly kind: 'reuse'; readonly balance: bigint; readonly base: bigint }
  /** Sign a new proof for `balance`. */
  | { readonly kind: 'sign'; readonly balance: bigint; readonly base: bigint }
  | { readonly kind: 'insufficient'; readonly balance: bigint; readonly base: bigint };

/**
 * The balance of the next payment of `price` (a fixed price, a metered route's ceiling or a stream's step):
 * `max(S + 1, C + price)` (docs/protocol.md 7.2). S is the last balance the receiver accepted, C what it charged
 * in total (C <= S; C = S on fixed prices, which makes this `S + price`). The client's best knowledge of S is the
 * acknowledged balance (`base`; when unknown, every signed proof is assumed accepted), of C the receipts'
 * RDN-Charged-Balance (when none named one, C = S). A signed proof the receiver never accepted (its answer was a
 * 5xx, or lost) is re-sent instead of signing on top of it, as long as it is above S, authorises at least `price`
 * over C and at most `maxIncrement`; otherwise the new balance is `max(S + 1, C + price)`, or `signed + price` if
 * that is not above what was already signed — signed balances only grow.
 */
export function nextPaymentBalance(record: ChannelRecord, price: bigint, maxIncrement: bigint): PaymentStep {
  const base = record.acknowledgedBalance ?? record.signedBalance;
  const charged = chargedBalanceOf(record, base);
  const needed = base + 1n > charged + price ? base + 1n : charged + price;
  const signed = record.signedBalance;
  if (record.balanceSignature !== null && signed >= needed && signed - charged <= maxIncrement) {
    return { kind: 'reuse', balance: signed, base };
  }
  let balance = needed;
  if (balance <= record.signedBalance) balance = record.signedBalance + price;
  return balance > record.deposit ? { kind: 'insufficient', balance, base } : { kind: 'sign', balance, base };
}
