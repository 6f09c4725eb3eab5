import type { Address, ChannelView, Hex, Hex32 } from '@microraiden/protocol';

/** A channel's lifecycle as the gateway sees it: closing also covers "the receiver signed a closing proof". */
export type ChannelState = 'open' | 'closing' | 'settled';

/** What the hot path reads about a channel: one row of `gateway_channels`. */
export interface ChannelSnapshot {
  readonly channelId: Hex32;
  readonly sender: Address;
  readonly receiver: Address;
  /** The channel's balance signer (a session key whose proofs count as the sender's); absent when none. */
  readonly signer?: Address;
  readonly deposit: bigint;
  readonly state: ChannelState;
  /** False for a channel seen once but whose creation is not (or no longer) final on chain. */
  readonly confirmed: boolean;
  /** The last balance accepted on the channel by any gateway replica (committed): S, what the sender signed. */
  readonly acceptedBalance: bigint;
  /**
   * C, the sum of every charge on the channel (docs/protocol.md 7.2), at most `acceptedBalance`: equal to it while
   * only fixed prices were paid, lower by what metered requests left unused of their ceilings.
   */
  readonly chargedBalance: bigint;
  /** The (normalised) signature of `acceptedBalance`, the sender's or its signer's; absent while nothing was accepted. */
  readonly lastSignature?: Hex;
}

/**
 * The chain-watcher publishes channel events only at its confirmation depth, so the gateway cannot count
 * blocks itself: a channel whose `channel.created` is applied counts as having the required confirmation, and
 * one whose creation was retracted by a reorg as having none.
 */
export const REQUIRED_CONFIRMATIONS = 1;

/** The protocol's view of a snapshot; a settled channel no longer exists on chain, so it is unknown. */
export function channelViewOf(snapshot: ChannelSnapshot | undefined): ChannelView | undefined {
  if (snapshot === undefined || snapshot.state === 'settled') return undefined;
  return {
    sender: snapshot.sender,
    receiver: snapshot.receiver,
    ...(snapshot.signer === undefined ? {} : { signer: snapshot.signer }),
    deposit: snapshot.deposit,
    state: snapshot.state,
    confirmations: snapshot.confirmed ? REQUIRED_CONFIRMATIONS : 0,
  };
}

/** A proof to accept with a compare-and-set on the channel's accepted and charged balances. */
export interface ProofToAccept {
  readonly channelId: Hex32;
  /** The accepted balance this proof was verified against: the compare-and-set expects exactly it. */
  readonly expectedPrevious: bigint;
  /** The charged balance this proof was verified against: the compare-and-set expects exactly it too. */
  readonly expectedCharged: bigint;
  readonly balance: bigint;
  /** The price (a metered route's ceiling): `balance - expectedCharged` must cover it. */
  readonly price: bigint;
  /** What this acceptance charges: the charged balance becomes `expectedCharged + charge`, at most `balance`. */
  readonly charge: bigint;
  /** The normalised (v = 27/28) signature. */
  readonly signature: Hex;
}
