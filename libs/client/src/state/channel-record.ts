import type { Address, Hex, Hex32 } from '@microraiden/protocol';

/** Where a channel is in its life: `closing` after an uncooperative close, `settled` once paid out. */
export type ChannelState = 'open' | 'closing' | 'settled';

/** What the sender knows about one of its channels: chain facts plus its off-chain balance proofs. */
export interface ChannelRecord {
  readonly id: Hex32;
  readonly sender: Address;
  readonly receiver: Address;
  /** Total tokens escrowed (base units), as last seen on chain. */
  readonly deposit: bigint;
  /** The highest cumulative balance this sender signed on the channel (0 when none). */
  readonly signedBalance: bigint;
  /** The signature of `signedBalance`; null when nothing was signed (or the state was rebuilt from chain). */
  readonly balanceSignature: Hex | null;
  /**
   * The highest balance known to be held by the receiver or fixed on chain: receipts' RDN-Sender-Balance,
   * withdrawals, a requested close, the settlement. Null when unknown.
   */
  readonly acknowledgedBalance: bigint | null;
  /**
   * The receiver's charged balance C from its receipts (RDN-Charged-Balance, or RDN-Sender-Balance when absent):
   * what it charged in total, at most what it holds. Below it on metered and streamed routes, where a proof
   * authorises a ceiling and the request is charged what it used. Null when unknown (read as acknowledgedBalance).
   */
  readonly chargedBalance: bigint | null;
  /** Cumulative amount the receiver withdrew on chain. */
  readonly withdrawn: bigint;
  readonly state: ChannelState;
  /** Unix time (seconds) from which the channel can be settled; null unless closing. */
  readonly settleAt: bigint | null;
  /** The balance declared by the uncooperative close; null unless one was requested. */
  readonly closingBalance: bigint | null;
  /** Block of the ChannelCreated event; null when not known. */
  readonly openedBlock: number | null;
  /** Gateway management URL (origin + RDN-Gateway-Path) where the receiver was met; used to ask for a close. */
  readonly gatewayUrl: string | null;
}

/** The larger of two optional amounts (null when both are). */
export function maxAmount(a: bigint | null, b: bigint | null): bigint | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/**
 * The balance the sender is committed to: the highest it signed or the receiver holds. Deposit checks and
 * closes use it, so a proof that may have reached the receiver is never counted as unspent.
 */
export function committedBalance(record: ChannelRecord): bigint {
  const ack = record.acknowledgedBalance ?? 0n;
  return record.signedBalance > ack ? record.signedBalance : ack;
}

/**
 * The charged balance C the next payment builds on: the receipts' word, never above `held` (the balance S the
 * receiver is believed to hold); `held` itself when no receipt named one (fixed prices, or an older gateway).
 */
export function chargedBalanceOf(record: ChannelRecord, held: bigint): bigint {
  const charged = record.chargedBalance;
  return charged === null || charged > held ? held : charged;
}

/** Tokens still available for payments on the channel: deposit minus the committed balance. */
export function spendable(record: ChannelRecord): bigint {
  const left = record.deposit - committedBalance(record);
  return left > 0n ? left : 0n;
}
