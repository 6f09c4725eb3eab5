import { isChargeableStatus, type Challenge, type Hex32, type Receipt } from '@microraiden/protocol';
import type { PreparedPayment } from './payment-wallet';

/** What paidFetch knows while it pays one request over one channel (the reducer's state). */
export interface PaidAttempt {
  /** The challenge being paid. */
  readonly challenge: Challenge;
  readonly channelId: Hex32;
  /** The proof sent (or about to be). */
  readonly proof: PreparedPayment;
  /** The price being paid (a corrective INCREMENT_BELOW_PRICE may raise it). */
  readonly price: bigint;
  /** The payment went out with the request, on a remembered challenge. */
  readonly prepaid: boolean;
  /** A corrective answer was already followed once: a second one is a refusal. */
  readonly resigned: boolean;
  /** A send failed in the network at least once: the gateway may hold the proof without our knowing. */
  readonly networkFailed: boolean;
  /** Time spent waiting for the gateway to see the channel or deposit. */
  readonly waitedMs: number;
  readonly waits: number;
}

/** The parts of the gateway's answer to a paid request that decide what happens next. */
export interface PaidAnswer {
  readonly status: number;
  /** RDN-Error-Code, when the gateway sent one. */
  readonly code: string | undefined;
  /** The receipt, when it is about this channel. */
  readonly receipt: Receipt | undefined;
  /** The challenge repeated on the answer (paid replies and corrective 402s carry one). */
  readonly challenge: Challenge | undefined;
  /** Retry-After in ms, when present. */
  readonly retryAfterMs: number | undefined;
}

/** What a paid request cost, from the gateway's receipt. */
export interface PaidAmount {
  readonly channelId: Hex32;
  /** Charged for this request (RDN-Cost). */
  readonly amount: bigint;
  /** The channel's balance the receiver now holds (RDN-Sender-Balance). */
  readonly balance: bigint;
  /**
   * What the receiver charged on the channel in total (RDN-Charged-Balance; RDN-Sender-Balance when the receipt
   * has none, as on fixed prices). Below `balance` on metered and streamed routes; a cooperative close is for it.
   */
  readonly chargedBalance: bigint;
  /** The price the gateway asked. */
  readonly price: bigint;
  /** True when the payment went out with the request itself: the unpaid 402 round trip was skipped. */
  readonly prepaid: boolean;
}

/** The next step after an answer to a paid request. */
export type PaidAnswerDecision =
  /** Hand the answer to the caller; remember the challenge for prepaying (undefined: forget it). */
  | { readonly kind: 'done'; readonly paid: PaidAmount | null; readonly remember: Challenge | undefined }
  /** A prepaid request met a plain challenge (outdated memory): start the handshake from this answer. */
  | { readonly kind: 'handshake' }
  /** Re-sign on top of the balance the gateway holds (its receipt), at `price`; `challenge` if it changed. */
  | { readonly kind: 'resync'; readonly price: bigint; readonly challenge: Challenge | undefined }
  /** The gateway has not seen the channel or deposit yet, or is unavailable: the same proof again after `delayMs`. */
  | { readonly kind: 'wait'; readonly delayMs: number; readonly reason: string }
  /** The gateway took this very proof but its answer was lost: never pay again for it. */
  | { readonly kind: 'lost' }
  /** The gateway refused the payment with `code`. */
  | { readonly kind: 'refuse'; readonly code: string };

const WAITABLE = new Set([
  'CHANNEL_NOT_FOUND',
  'CHANNEL_INSUFFICIENT_CONFIRMATIONS',
  'BALANCE_EXCEEDS_DEPOSIT',
]);
// A prepaid request answered 402 with one of these was not judged on its amount: the remembered challenge is
// outdated (the route is no longer paid, or another receiver or deployment serves it). Start over from it.
const HANDSHAKE_AGAIN = new Set(['PAYMENT_REQUIRED', 'WRONG_CHAIN', 'WRONG_CONTRACT', 'WRONG_RECEIVER']);

/**
 * The pure core of paidFetch: given what it knows and the gateway's answer, the next step. It never pays
 * twice for one request: a proof the gateway accepted but whose answer was lost ends in `lost`; a corrective
 * answer (BALANCE_STALE / INCREMENT_BELOW_PRICE with a receipt) is followed once; waits are bounded by
 * `channelWaitMs`.
 */
export function decidePaidAnswer(
  attempt: PaidAttempt,
  answer: PaidAnswer,
  channelWaitMs: number,
): PaidAnswerDecision {
  const { code, receipt } = answer;
  if (attempt.prepaid && answer.status === 402 && (code === undefined || HANDSHAKE_AGAIN.has(code))) {
    return { kind: 'handshake' };
  }
  if (answer.status === 503 && code === 'GATEWAY_UNAVAILABLE') {
    // Not accepted (protocol 7) and not refused: a replica, or the whole front, cannot take payments right now.
    // The same proof again after Retry-After (protocol 8.1), within the same bound as the channel waits.
    // Past that bound the 503 goes to the caller as it is (below).
    const delayMs = answer.retryAfterMs ?? Math.min(5_000, 250 * 2 ** attempt.waits);
    if (attempt.waitedMs + delayMs <= channelWaitMs) return { kind: 'wait', delayMs, reason: code };
  }
  if (code === undefined || (answer.status !== 402 && answer.status !== 409)) {
    // Paid replies repeat the challenge (protocol 5.1): a changed price is known before the next request.
    // No receipt: the resource may have become free; never prepay for it on a guess.
    const remember = receipt ? (answer.challenge ?? attempt.challenge) : undefined;
    return { kind: 'done', paid: paidFor(attempt, answer), remember };
  }
  if (code === 'BALANCE_STALE' || code === 'INCREMENT_BELOW_PRICE') {
    if (
      code === 'BALANCE_STALE' &&
      attempt.networkFailed &&
      receipt?.senderBalance === attempt.proof.balance
    ) {
      return { kind: 'lost' };
    }
    if (attempt.resigned || !receipt) return { kind: 'refuse', code };
    const challenge = code === 'INCREMENT_BELOW_PRICE' ? answer.challenge : undefined;
    return { kind: 'resync', price: challenge?.price ?? attempt.price, challenge };
  }
  if (WAITABLE.has(code)) {
    const delayMs = answer.retryAfterMs ?? Math.min(5_000, 250 * 2 ** attempt.waits);
    if (attempt.waitedMs + delayMs > channelWaitMs) return { kind: 'refuse', code };
    return { kind: 'wait', delayMs, reason: code };
  }
  return { kind: 'refuse', code };
}

/** The attempt after following `decision` (the reducer's evolve; `resync`'s new proof is set by the shell). */
export function evolveAttempt(attempt: PaidAttempt, decision: PaidAnswerDecision): PaidAttempt {
  switch (decision.kind) {
    case 'resync':
      return { ...attempt, resigned: true, price: decision.price };
    case 'wait':
      return {
        ...attempt,
        waitedMs: attempt.waitedMs + decision.delayMs,
        waits: attempt.waits + 1,
        // A 503 can come after a commit whose outcome the gateway did not learn: the proof may be held, so a
        // BALANCE_STALE naming it means "paid, answer lost", never "sign again".
        networkFailed: attempt.networkFailed || decision.reason === 'GATEWAY_UNAVAILABLE',
      };
    case 'done':
    case 'handshake':
    case 'lost':
    case 'refuse':
      return attempt;
    default: {
      const unhandled: never = decision;
      return unhandled;
    }
  }
}

/** What a non-error answer to a paid request cost: the receipt's word, or (no receipt) what was sent. */
export function paidFor(attempt: PaidAttempt, answer: PaidAnswer): PaidAmount | null {
  const { proof, price, prepaid } = attempt;
  const { receipt } = answer;
  if (receipt) {
    return receipt.cost > 0n
      ? {
          channelId: proof.channelId,
          amount: receipt.cost,
          balance: receipt.senderBalance,
          chargedBalance: receipt.chargedBalance ?? receipt.senderBalance,
          price,
          prepaid,
        }
      : null;
  }
  // A gateway that sends no receipt still charges when its upstream succeeded (2xx/3xx, protocol section 7).
  return isChargeableStatus(answer.status)
    ? {
        channelId: proof.channelId,
        amount: proof.balance - proof.base,
        balance: proof.balance,
        chargedBalance: proof.balance,
        price,
        prepaid,
      }
    : null;
}
