import {
  encodeChallenge,
  encodeErrorHeaders,
  encodeReceipt,
  encodeX402Headers,
  negotiateErrorFormat,
  renderError,
  type Challenge,
  type EncodedHeaders,
  type ProtocolError,
  type Receipt,
} from '@microraiden/protocol';
import type { GatewayError } from './gateway-error';
import { renderPaywallPage } from './paywall-page';

/** A complete answer the gateway sends instead of the upstream's. */
export interface PaywallResponse {
  readonly status: number;
  readonly headers: EncodedHeaders;
  readonly body: string;
}

/** The receiver's constant facts; `price` varies per route and request. */
export type ChallengeBase = Omit<Challenge, 'price'>;

/** Seconds a client should wait before retrying, per retryable code. */
export interface RetryAfter {
  readonly confirmations: number;
  readonly unavailable: number;
}

const CHALLENGE_CACHE_LIMIT = 1024;

/**
 * Renders the gateway's answers: the challenge, error responses with their headers and bodies, receipts.
 * Encoded challenges are cached per price, because every paid reply carries one.
 */
export class PaywallRenderer {
  private readonly challenges = new Map<bigint, EncodedHeaders>();

  constructor(
    private readonly base: ChallengeBase,
    private readonly retryAfter: RetryAfter,
  ) {}

  /** The six challenge headers for `price`. */
  challengeHeaders(price: bigint): EncodedHeaders {
    let headers = this.challenges.get(price);
    if (headers === undefined) {
      headers = encodeChallenge({ ...this.base, price });
      if (this.challenges.size >= CHALLENGE_CACHE_LIMIT) this.challenges.clear();
      this.challenges.set(price, headers);
    }
    return headers;
  }

  /** Receipt and challenge headers for a reply the upstream produced. */
  replyHeaders(receipt: Receipt, price: bigint): EncodedHeaders {
    return { ...encodeReceipt(receipt), ...this.challengeHeaders(price) };
  }

  /**
   * A protocol error answer (docs/protocol.md 8.3): error headers; challenge headers on 402 and 409; the x402
   * PAYMENT-REQUIRED header on 402; the receipt when given; JSON or HTML by Accept. A browser asking for an
   * unpaid resource gets the paywall page.
   */
  protocolError(
    error: ProtocolError,
    context: { price?: bigint; accept?: string | readonly string[]; resourceUrl: string; receipt?: Receipt },
  ): PaywallResponse {
    const retryAfterSeconds =
      error.code === 'CHANNEL_INSUFFICIENT_CONFIRMATIONS'
        ? this.retryAfter.confirmations
        : error.code === 'GATEWAY_UNAVAILABLE'
          ? this.retryAfter.unavailable
          : undefined;
    let headers: EncodedHeaders = encodeErrorHeaders(
      error,
      retryAfterSeconds === undefined ? {} : { retryAfterSeconds },
    );
    const status = error.httpStatus;
    if (context.price !== undefined && (status === 402 || status === 409)) {
      headers = { ...headers, ...this.challengeHeaders(context.price) };
      if (status === 402) {
        const challenge = { ...this.base, price: context.price };
        headers = {
          ...headers,
          ...encodeX402Headers(challenge, { resource: { url: context.resourceUrl }, error: error.code }),
        };
      }
    }
    if (context.receipt !== undefined) headers = { ...headers, ...encodeReceipt(context.receipt) };
    if (
      error.code === 'PAYMENT_REQUIRED' &&
      context.price !== undefined &&
      negotiateErrorFormat(context.accept) === 'html'
    ) {
      const page = renderPaywallPage({ ...this.base, price: context.price }, context.resourceUrl);
      return { status, headers: { ...headers, 'Content-Type': 'text/html; charset=utf-8' }, body: page };
    }
    const rendered = renderError(error, context.accept);
    return { status, headers: { ...headers, 'Content-Type': rendered.contentType }, body: rendered.body };
  }
}

/** A gateway error answer (JSON body); `extra` adds receipt and challenge headers of an uncharged request. */
export function gatewayErrorResponse(error: GatewayError, extra: EncodedHeaders = {}): PaywallResponse {
  return {
    status: error.httpStatus,
    headers: { ...extra, 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ error: error.toJSON() }),
  };
}
