import type { Hex32 } from '@microraiden/protocol';

/** What a paid x402 answer told about our channel, as the response hook reads it. */
export interface X402AnswerFacts {
  /** The channel and balance the payment carried. */
  readonly channelId: Hex32;
  readonly sentBalance: bigint;
  /** The gateway's error code (PAYMENT-RESPONSE errorReason or PaymentRequired error); undefined when charged. */
  readonly code: string | undefined;
  /** The balance the gateway says it holds on our channel (its receipt), when it sent one. */
  readonly claimedBalance: bigint | undefined;
  /** The charged balance its receipt names (extra.chargedBalance; absent: equal to claimedBalance). */
  readonly claimedChargedBalance?: bigint | undefined;
  /** A committed balance whose signature recovered to us (a corrective 402's extra.channel), when seen. */
  readonly verifiedBalance: bigint | undefined;
}

/** What the response hook does. */
export type X402AnswerDecision =
  /**
   * Acknowledge `balance` as held by the receiver and `chargedBalance` as what it charged (never above `balance`);
   * `retry`: ask @x402/fetch for its one retry.
   */
  | {
      readonly kind: 'acknowledge';
      readonly balance: bigint;
      readonly chargedBalance: bigint;
      readonly retry: boolean;
    }
  /** The gateway has not seen the channel or deposit yet: wait, then retry with the same proof. */
  | { readonly kind: 'wait' }
  | { readonly kind: 'nothing' };

const CORRECTIVE = new Set(['BALANCE_STALE', 'INCREMENT_BELOW_PRICE']);
const WAITABLE = new Set([
  'CHANNEL_NOT_FOUND',
  'CHANNEL_INSUFFICIENT_CONFIRMATIONS',
  'BALANCE_EXCEEDS_DEPOSIT',
]);

/**
 * The pure core of the x402 response hook. A balance the gateway claims is believed only when the sender is
 * already bound to it: at most what this payment signed, or proven by the sender's own signature from a
 * corrective 402 (docs/protocol.md 11.5) — so a gateway cannot make the client sign on top of a made-up
 * balance. A corrective answer with a believable balance asks for the one retry @x402/fetch allows.
 */
export function decideX402Answer(facts: X402AnswerFacts): X402AnswerDecision {
  const { code, claimedBalance, verifiedBalance } = facts;
  if (code !== undefined && WAITABLE.has(code)) return { kind: 'wait' };
  const believable =
    verifiedBalance !== undefined
      ? verifiedBalance
      : claimedBalance !== undefined && claimedBalance <= facts.sentBalance
        ? claimedBalance
        : undefined;
  if (believable === undefined) return { kind: 'nothing' };
  // A charged balance only ever lowers what the next proof signs (max(S + 1, C + price)), and is bounded by S.
  const charged = facts.claimedChargedBalance;
  const chargedBalance =
    charged !== undefined && claimedBalance === believable && charged <= believable ? charged : believable;
  return {
    kind: 'acknowledge',
    balance: believable,
    chargedBalance,
    retry: code !== undefined && CORRECTIVE.has(code),
  };
}
