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

/** What to do about a close request. */
export type DisputeDecision =
  | { kind: 'dispute'; balance: bigint; signature: string; gain: bigint }
  /** Nothing better than the close to offer (yet): keep watching until the deadline, a newer proof may arrive. */
  | { kind: 'wait'; reason: 'no-proof' | 'fair-close' }
  /** The challenge period is over (or too close to its end to get a transaction in). */
  | { kind: 'expired'; cheated: boolean };

/**
 * Whether to dispute a close request: only when the latest accepted proof pays the receiver more than the sender
 * claimed, fits the deposit, and there are more than `marginSeconds` left before `settleAt` (`now` is the latest
 * block's timestamp, the clock the contract uses).
 */
export function decideDispute(input: {
  channel: ClosingChannel;
  proof: AcceptedProof | undefined;
  now: bigint;
  marginSeconds?: bigint;
}): DisputeDecision {
  const { channel, proof, now } = input;
  const usable =
    proof !== undefined && proof.balance > channel.closingBalance && proof.balance <= channel.deposit;
  if (now + (input.marginSeconds ?? 0n) >= channel.settleAt) return { kind: 'expired', cheated: usable };
  if (!usable) return { kind: 'wait', reason: proof === undefined ? 'no-proof' : 'fair-close' };
  return {
    kind: 'dispute',
    balance: proof.balance,
    signature: proof.signature,
    gain: proof.balance - channel.closingBalance,
  };
}
