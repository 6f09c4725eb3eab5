import type { AcceptedProof, ClosingChannel } from './dispute-decision';

/**
 * Whether to cash in a proof now (WITHDRAW_THRESHOLD policy): the channel is open (withdraw reverts while
 * closing), the proof fits the deposit, and it pays at least `threshold` more than was already withdrawn.
 */
export function shouldWithdraw(channel: ClosingChannel, proof: AcceptedProof, threshold: bigint): boolean {
  return (
    channel.settleAt === 0n &&
    proof.balance <= channel.deposit &&
    proof.balance > channel.withdrawn &&
    proof.balance - channel.withdrawn >= threshold
  );
}
