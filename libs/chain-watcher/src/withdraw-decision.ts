import { claimableBalance, type AcceptedProof, type ClosingChannel } from './dispute-decision';

/**
 * Whether to cash in a proof now (WITHDRAW_THRESHOLD policy): the channel is open (withdraw reverts while
 * closing) and the proof, worth at most the deposit on chain, pays at least `threshold` more than was already
 * withdrawn.
 */
export function shouldWithdraw(channel: ClosingChannel, proof: AcceptedProof, threshold: bigint): boolean {
  const worth = claimableBalance(proof, channel.deposit);
  return channel.settleAt === 0n && worth > channel.withdrawn && worth - channel.withdrawn >= threshold;
}
