import type { ChannelStatus } from '../projection/channel-projection';

/**
 * What became of a sender's uncooperative close, from the receiver's side:
 * - `fair`: the sender claimed at least what the receiver's latest accepted proof is worth on chain;
 * - `dispute-due`: the claim is lower and the challenge period runs: the chain-watcher must dispute (receiverClose)
 *   before `settleAt`;
 * - `disputed`: settled above the sender's claim: the receiver's proof won;
 * - `lost`: settled at a claim below what the receiver had accepted: revenue lost to the close.
 */
export type CloseVerdict = 'fair' | 'dispute-due' | 'disputed' | 'lost';

/** A closed or closing channel as the ledger projected it. */
export interface ClosedChannelFacts {
  readonly status: ChannelStatus;
  readonly deposit: bigint;
  /** The latest accepted balance. */
  readonly balance: bigint;
  /** The sender's claim in `channel.close-requested`. */
  readonly closeBalance: bigint;
  /** The balance `channel.settled` paid out (null until settled). */
  readonly settledBalance: bigint | null;
}

/** What the receiver's latest proof claims on chain: the contract pays `min(balance, deposit)`. */
export function claimableOf(facts: Pick<ClosedChannelFacts, 'balance' | 'deposit'>): bigint {
  return facts.balance < facts.deposit ? facts.balance : facts.deposit;
}

/** Judge a close from the projected facts alone (the ledger never reads the chain). */
export function closeVerdictOf(facts: ClosedChannelFacts): CloseVerdict {
  const claimable = claimableOf(facts);
  if (facts.status !== 'settled' || facts.settledBalance === null)
    return facts.closeBalance < claimable ? 'dispute-due' : 'fair';
  if (facts.settledBalance > facts.closeBalance) return 'disputed';
  return facts.closeBalance < claimable ? 'lost' : 'fair';
}
