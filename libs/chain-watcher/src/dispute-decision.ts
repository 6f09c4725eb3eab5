/** The receiver's latest accepted balance proof on a channel. */
export interface AcceptedProof {
  readonly balance: bigint;
  readonly signature: string;
}

/** The channel as the contract holds it during its challenge period. */
export interface ClosingChannel {
  readonly deposit: bigint;
  readonly withdrawn: bigint;
  /** What the sender's uncooperative close recorded (already raised to `withdrawn` by the contract). */
  readonly closingBalance: bigint;
  /** Unix seconds; disputes work while `block.timestamp < settleAt`. */
  readonly settleAt: bigint;
}

/**
 * What a proof is worth on chain: the contract pays `min(balance, deposit)` for a balance proof (a reorged top-up
 * can leave the latest proof above the deposit; it still claims everything the channel holds).
 */
export function claimableBalance(proof: AcceptedProof, deposit: bigint): bigint {
  return proof.balance < deposit ? proof.balance : deposit;
}

/** What to do about a close request. */
export type DisputeDecision =
  /** `balance` is the signed one (sent as is); `gain` is what the dispute adds over the close on chain. */
  | { kind: 'dispute'; balance: bigint; signature: string; gain: bigint }
  /** Nothing better than the close to offer (yet): keep watching until the deadline, a newer proof may arrive. */
  | { kind: 'wait'; reason: 'no-proof' | 'fair-close' }
  /** The challenge period is over (or too close to its end to get a transaction in). */
  | { kind: 'expired'; cheated: boolean };

/**
 * Whether to dispute a close request: only when the latest accepted proof, worth at most the deposit, pays the
 * receiver more than the sender claimed, and there are more than `marginSeconds` left before `settleAt` (`now` is
 * the latest block's timestamp, the clock the contract uses). The latest proof is always the best one: its worth
 * grows with its balance.
 */
export function decideDispute(input: {
  channel: ClosingChannel;
  proof: AcceptedProof | undefined;
  now: bigint;
  marginSeconds?: bigint;
}): DisputeDecision {
  const { channel, proof, now } = input;
  const gain = proof === undefined ? 0n : claimableBalance(proof, channel.deposit) - channel.closingBalance;
  if (now + (input.marginSeconds ?? 0n) >= channel.settleAt) return { kind: 'expired', cheated: gain > 0n };
  if (proof === undefined) return { kind: 'wait', reason: 'no-proof' };
  if (gain <= 0n) return { kind: 'wait', reason: 'fair-close' };
  return {
    kind: 'dispute',
    balance: proof.balance,
    signature: proof.signature,
    gain,
  };
}
