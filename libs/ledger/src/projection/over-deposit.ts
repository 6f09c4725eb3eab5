import type { ChannelStatus } from './channel-projection';

/**
 * Accepted balance above the confirmed deposit: revenue the gateways charged that the chain cannot pay (0 when the
 * deposit covers the balance). It appears when a reorg retracts a top-up or the creation itself after proofs were
 * accepted against it: the contract pays a proof at most the deposit, so this part is lost unless the sender's
 * deposit comes back (the top-up re-mined, a new one). Briefly, too, when the ledger reads a proof before the
 * chain event that funds it (the two topics are not ordered): alerts on it should wait a little.
 */
export function overDeposit(channel: { balance: bigint; deposit: bigint }): bigint {
  return channel.balance > channel.deposit ? channel.balance - channel.deposit : 0n;
}

/**
 * Whether a channel's over-deposit revenue is still at risk (counted by the metrics and the operator totals): until
 * the channel settles a deposit can still arrive; once settled, what was not paid is lost, not at risk.
 */
export function isAtRiskOverDeposit(channel: {
  status: ChannelStatus;
  balance: bigint;
  deposit: bigint;
}): boolean {
  return channel.status !== 'settled' && overDeposit(channel) > 0n;
}
