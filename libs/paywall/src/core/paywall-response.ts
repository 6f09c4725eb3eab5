import {
  RDN_HEADERS,
  encodeChallenge,
  encodeErrorHeaders,
  encodeReceipt,
  encodeX402Headers,
  encodeX402Response,
  negotiateErrorFormat,
  renderError,
  x402Status,
  type Address,
  type Challenge,
  type EncodedHeaders,
  type Hex,
  type PriceMode,
  type ProtocolError,
  type Receipt,
  type X402ChannelState,
  type X402TokenInfo,
} from '@microraiden/protocol';
import type { GatewayError } from './gateway-error';
import { renderPaywallPage } from './paywall-page';
import type { StreamPricing } from './stream-meter';
import type { PaymentWire } from './payment-wire';

/** A complete answer the gateway sends instead of the upstream's. */
export interface PaywallResponse {
  readonly status: number;
  readonly headers: EncodedHeaders;
  readonly body: string;
}

/** The receiver's constant facts; `price` and `priceMode` vary per route and request. */
export type ChallengeBase = Omit<Challenge, 'price' | 'priceMode'>;

/** How a paid request is priced: what the client must authorise, and how it is charged (docs/protocol.md 7.2). */
export interface RoutePricing {
  /** The price, or a metered route's ceiling. */
  readonly price: bigint;
  readonly mode: PriceMode;
  /** A streamed route's unit price and step (mode `stream`): RDN-Unit-Price beside RDN-Price (one step). */
  readonly stream?: StreamPricing;
}

/** What the answer to a payment needs to know about it: its wire, its sender and the channel's last signature. */
export interface PaymentContext {
  readonly wire: PaymentWire;
  /** The payment's claimed sender (a payer only once a receipt shows its signature verified). */
  readonly sender?: Address;
  /** The sender's signature of the receipt's balance (the channel's committed one). */
  readonly lastSignature?: Hex;
}

/** Seconds a client should wait before retrying, per retryable code. */
export interface RetryAfter {
  readonly confirmations: number;
  readonly unavailable: number;
}

const CHALLENGE_CACHE_LIMIT = 1024;

/**
 * Renders the gateway's answers: the challenge, error responses with their headers and bodies, receipts.
 * Encoded challenges are cached per price and mode, because every paid reply carries one.
 */
export class PaywallRenderer {
  private readonly challenges = new Map<PriceMode, Map<bigint, EncodedHeaders>>();

  constructor(
    private readonly base: ChallengeBase,
    private readonly retryAfter: RetryAfter,
    private readonly token?: X402TokenInfo,
  ) {}

  /** The six challenge headers for `price`, plus RDN-Price-Mode unless the mode is `fixed`. */
  challengeHeaders(price: bigint, priceMode: PriceMode = 'fixed', stream?: StreamPricing): EncodedHeaders {
    const headers = this.cachedChallenge(price, priceMode);
    if (stream === undefined) return headers;
    const unit = { ...headers, [RDN_HEADERS.unitPrice]: stream.unitPrice.toString() };
    return stream.unitBytes === undefined
      ? unit
      : { ...unit, [RDN_HEADERS.unitBytes]: stream.unitBytes.toString() };
  }

  private cachedChallenge(price: bigint, priceMode: PriceMode): EncodedHeaders {
    let byPrice = this.challenges.get(priceMode);
    if (byPrice === undefined) this.challenges.set(priceMode, (byPrice = new Map()));
    let headers = byPrice.get(price);
    if (headers === undefined) {
      headers = encodeChallenge({ ...this.base, price, priceMode });
      if (byPrice.size >= CHALLENGE_CACHE_LIMIT) byPrice.clear();
      byPrice.set(price, headers);
    }
    return headers;
  }

  /** Receipt and challenge headers for a reply the upstream produced; PAYMENT-RESPONSE for an x402 payment. */
  replyHeaders(receipt: Receipt, pricing: RoutePricing, payment?: PaymentContext): EncodedHeaders {
    const headers = {
      ...encodeReceipt(receipt),
      ...this.challengeHeaders(pricing.price, pricing.mode, pricing.stream),
    };
    if (payment?.wire !== 'x402' || payment.sender === undefined) return headers;
    return {
      ...headers,
      ...encodeX402Response(this.base.chainId, { kind: 'receipt', receipt, payer: payment.sender }),
    };
  }

  /** The channel's committed state for a corrective 402: only with a receipt, which only a verified signature gets. */
  private channelState(receipt: Receipt | undefined, payment: PaymentContext | undefined) {
    if (receipt === undefined || payment?.sender === undefined) return undefined;
    const state: X402ChannelState = {
      sender: payment.sender,
      channelId: receipt.channelId,
      balance: receipt.senderBalance,
      ...(receipt.senderBalance === 0n || payment.lastSignature === undefined
        ? {}
        : { signature: payment.lastSignature }),
    };
    return state;
  }

  /**
   * A protocol error answer (docs/protocol.md 8.3): error headers; challenge headers on 402 and 409; the x402
   * PAYMENT-REQUIRED header on 402 (corrective with a receipt, 11.5); the receipt when given; PAYMENT-RESPONSE
   * to an x402 payment refused with another status than 402 (11.4); JSON or HTML by Accept. A browser asking for an unpaid resource gets the paywall page.
   */
  protocolError(
    error: ProtocolError,
    context: {
      price?: bigint;
      /** The route's price mode (default `fixed`): RDN-Price-Mode beside RDN-Price. */
      priceMode?: PriceMode;
      /** A streamed route's pricing: RDN-Unit-Price. */
      stream?: StreamPricing;
      accept?: string | readonly string[];
      resourceUrl: string;
      receipt?: Receipt;
      payment?: PaymentContext;
    },
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
    const { receipt, payment } = context;
    const x402 = payment?.wire === 'x402';
    const status = x402 ? x402Status(error) : error.httpStatus;
    if (context.price !== undefined && (status === 402 || status === 409)) {
      headers = { ...headers, ...this.challengeHeaders(context.price, context.priceMode, context.stream) };
      if (status === 402) {
        // A metered or streamed route says so (x402's `extra.priceMode`): `amount` is a ceiling or one step.
        const challenge = {
          ...this.base,
          price: context.price,
          ...(context.priceMode === undefined ? {} : { priceMode: context.priceMode }),
          ...(context.stream === undefined ? {} : { unitPrice: context.stream.unitPrice }),
        };
        const channel = this.channelState(receipt, payment);
        const options = {
          resource: { url: context.resourceUrl },
          error: error.code,
          ...(channel ? { channel } : {}),
          ...(this.token ? { token: this.token } : {}),
        };
        headers = { ...headers, ...encodeX402Headers(challenge, options) };
      }
    }
    if (receipt !== undefined) headers = { ...headers, ...encodeReceipt(receipt) };
    // A 402 says why in PAYMENT-REQUIRED's `error`: x402 clients read PAYMENT-RESPONSE first when both are present
    // and then never see the corrective requirement (docs/protocol.md 11.4).
    if (x402 && status !== 402) {
      // The payer is named only where a receipt shows the sender's signature verified (docs/protocol.md 11.4).
      const payer = receipt === undefined ? undefined : payment?.sender;
      const outcome = {
        kind: 'refused' as const,
        code: error.code,
        message: error.message,
        ...(payer === undefined ? {} : { payer }),
        ...(receipt === undefined ? {} : { receipt }),
      };
      headers = { ...headers, ...encodeX402Response(this.base.chainId, outcome) };
    }
    if (
      error.code === 'PAYMENT_REQUIRED' &&
      context.price !== undefined &&
      negotiateErrorFormat(context.accept) === 'html'
    ) {
      const page = renderPaywallPage({ ...this.base, price: context.price }, context.resourceUrl, this.token);
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
