import { sameAddress, type Address } from '@microraiden/protocol';
import { committedBalance, spendable, type ChannelRecord } from './state/channel-record';

/** How to get a channel that can pay `amount` more: use one, top one up, open one, or not at all. */
export type FundingPlan =
  | { readonly kind: 'use'; readonly channel: ChannelRecord }
  | { readonly kind: 'topUp'; readonly channel: ChannelRecord; readonly amount: bigint }
  | { readonly kind: 'open'; readonly deposit: bigint }
  | { readonly kind: 'refuse'; readonly reason: string };

/** What planFunding decides on. */
export interface FundingRequest {
  readonly channels: readonly ChannelRecord[];
  readonly receiver: Address;
  /** What must still fit in the channel's deposit. */
  readonly amount: bigint;
  /** Deposit of a newly opened channel. */
  readonly openDeposit: bigint;
  /** Cap on any channel's deposit, reached by topping up; undefined: never top up, open without a cap. */
  readonly maxDeposit?: bigint;
}

// Most spendable first, then the oldest: the choice is deterministic, so two calls agree on a channel.
function byPreference(a: { left: bigint; c: ChannelRecord }, b: { left: bigint; c: ChannelRecord }): number {
  if (a.left !== b.left) return a.left > b.left ? -1 : 1;
  return (a.c.openedBlock ?? Infinity) - (b.c.openedBlock ?? Infinity) || a.c.id.localeCompare(b.c.id);
}

/**
 * Chooses how to pay `amount` to `receiver`, preferring in this order: an open channel that can already
 * pay it; topping one up to `maxDeposit` (cheaper on gas than a new channel and keeps one channel per
 * receiver); opening a channel with `openDeposit`. Pure: the caller performs the plan.
 */
export function planFunding(request: FundingRequest): FundingPlan {
  const open = request.channels.filter(
    (c) => c.state === 'open' && sameAddress(c.receiver, request.receiver),
  );
  const usable = open
    .map((c) => ({ c, left: spendable(c) }))
    .filter(({ left }) => left >= request.amount)
    .sort(byPreference);
  if (usable[0]) return { kind: 'use', channel: usable[0].c };

  const cap = request.maxDeposit;
  if (cap !== undefined) {
    const toppable = open
      .filter((c) => c.deposit < cap)
      .map((c) => ({ c, left: cap - committedBalance(c) }))
      .filter(({ left }) => left >= request.amount)
      .sort(byPreference);
    if (toppable[0]) {
      return { kind: 'topUp', channel: toppable[0].c, amount: cap - toppable[0].c.deposit };
    }
  }

  if (request.openDeposit >= request.amount && (cap === undefined || request.openDeposit <= cap)) {
    return { kind: 'open', deposit: request.openDeposit };
  }
  const limit = cap === undefined ? `a deposit of ${request.openDeposit}` : `a maximum deposit of ${cap}`;
  return {
    kind: 'refuse',
    reason:
      open.length === 0
        ? `no open channel to ${request.receiver}, and ${limit} cannot pay ${request.amount}`
        : `the open channels to ${request.receiver} cannot pay ${request.amount} more within ${limit}`,
  };
}
