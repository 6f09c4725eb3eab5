import type { Address, ChannelLogEventType, Hex } from '@microraiden/events';

/** What the ledger knows about a channel on chain, derived from its applied chain events. */
export type ChannelStatus = 'pending' | 'open' | 'closing' | 'settled';

/**
 * One chain event the ledger has seen for a channel. Kept (also once retracted) so a retraction can recompute
 * the channel from the remaining applied facts and so a re-mined log is recognised (README of @microraiden/events).
 */
export interface ChainFact {
  eventId: Hex;
  type: ChannelLogEventType;
  blockNumber: number;
  logIndex: number;
  /** Block timestamp (ISO). */
  occurredAt: string;
  /** False once retracted by a reorg; true again if the log becomes canonical again. */
  applied: boolean;
  /** How often this fact was retracted: names each application uniquely in the audit trail. */
  retractions: number;
  sender: Address;
  receiver: Address;
  chainId: number;
  channelManager: Address;
  /** The event's amounts by field name (`deposit`, `withdrawn`, `balance`, `settleAt`, ...). */
  amounts: Readonly<Record<string, bigint>>;
}

/** The latest accepted balance proof of a channel and what the ledger keeps about its predecessors. */
export interface ProofState {
  /** Cumulative balance of the latest accepted proof (S: what the receiver can claim). */
  balance: bigint;
  /**
   * The channel's charged balance C (<= balance): the sum of what its proofs and charge-only commits charged. Equal
   * to `balance` on fixed-price channels.
   */
  chargedBalance: bigint;
  signature: Hex;
  eventId: Hex;
  /** Number of proofs applied. */
  count: number;
  lastAcceptedAt: string;
  sender: Address;
  receiver: Address;
  chainId: number;
  channelManager: Address;
}

/** The receiver's commitment to close cooperatively: the latest `balance-proof.close-signed` of a channel. */
export interface CloseSignedState {
  /** The closing balance the receiver signed. */
  balance: bigint;
  closingSignature: Hex;
  eventId: Hex;
  signedAt: string;
  sender: Address;
  receiver: Address;
  chainId: number;
  channelManager: Address;
}

/**
 * Everything the projection stores for one channel. The chain half folds only `channel.*` events and the proof
 * half (`proof`, `closeSigned`) only `balance-proof.*` events: the two topics are not ordered relative to each
 * other, so nothing may depend on their interleaving, or a rebuild would differ from the live projection.
 */
export interface ChannelProjection {
  channelId: Hex;
  chainFacts: readonly ChainFact[];
  proof: ProofState | null;
  closeSigned: CloseSignedState | null;
  /** When the projection last changed (passed in, never read from a clock here). */
  updatedAt: string;
}

/** A fresh projection for a channel nothing is known about yet. */
export function emptyChannel(channelId: Hex, now: Date): ChannelProjection {
  return {
    channelId: channelId.toLowerCase() as Hex,
    chainFacts: [],
    proof: null,
    closeSigned: null,
    updatedAt: now.toISOString(),
  };
}

/** True when no event was ever applied to the channel (its row need not exist). */
export function isEmptyChannel(channel: ChannelProjection): boolean {
  return channel.chainFacts.length === 0 && channel.proof === null && channel.closeSigned === null;
}
