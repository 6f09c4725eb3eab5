/**
 * Whether the receiver's account can pay for gas, as its sends found out. One state for the account (not per
 * channel): every send of the key needs the same ETH.
 */
export type GasFunds =
  | { readonly kind: 'funded' }
  | {
      readonly kind: 'short';
      /** Wall-clock ms of the first refused send of this outage. */
      readonly since: number;
      /** Refused sends in this outage. */
      readonly refusals: number;
      /** No send before this (ms) unless the balance rises. */
      readonly retryAt: number;
      /** The balance (wei) when the last send was refused. */
      readonly balance: bigint;
    };

/** Back-off between sends while the account is short. */
export interface GasFundsPolicy {
  /** Wait after the first refusal, doubled per further refusal. */
  readonly baseDelayMs: number;
  /** Longest wait. */
  readonly maxDelayMs: number;
}

export const DEFAULT_GAS_FUNDS_POLICY: GasFundsPolicy = { baseDelayMs: 1_000, maxDelayMs: 30_000 };

export const FUNDED: GasFunds = { kind: 'funded' };

/**
 * Whether to try a send now. While short: as soon as the balance rose above what the last refusal saw (funds
 * returned: dispute at once), otherwise only when the back-off is over (fees may have dropped).
 */
export function maySend(state: GasFunds, now: number, balance: bigint): boolean {
  if (state.kind === 'funded') return true;
  return balance > state.balance || now >= state.retryAt;
}

/** The state after a send was refused for lack of funds at `now`, the account holding `balance`. */
export function afterRefusal(
  state: GasFunds,
  now: number,
  balance: bigint,
  policy: GasFundsPolicy = DEFAULT_GAS_FUNDS_POLICY,
): GasFunds & { kind: 'short' } {
  const refusals = state.kind === 'short' ? state.refusals + 1 : 1;
  const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(refusals - 1, 30));
  return {
    kind: 'short',
    since: state.kind === 'short' ? state.since : now,
    refusals,
    retryAt: now + delay,
    balance,
  };
}
