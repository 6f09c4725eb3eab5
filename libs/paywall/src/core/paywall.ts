import { createBalanceProofAccepted, type MicroraidenEvent } from '@microraiden/events';
import { isTransientDatabaseError } from '@microraiden/persistence';
import {
  isChargeableStatus,
  paymentOfX402Payload,
  ProtocolError,
  verifyBalanceProofSignature,
  verifyPayment,
  type Address,
  type ChannelDomain,
  type EncodedHeaders,
  type HeaderSource,
  type Hex,
  type Payment,
  type PaymentDecision,
  type X402TokenInfo,
} from '@microraiden/protocol';
import type { ChainChannelReads } from './chain-channel-reads';
import type { ChainGuardView, ChainVerdict } from './chain-guard';
import { channelViewOf, REQUIRED_CONFIRMATIONS, type ChannelSnapshot } from './channel-snapshot';
import type { ChannelStore } from './channel-store';
import { GatewayError } from './gateway-error';
import { decideCharge, type MeterFallback, type ReportedCharge } from './metered-charge';
import { OpenChannelCache } from './open-channel-cache';
import { decidePendingDeposit, PENDING_CANDIDATES, type ChainChannelState } from './pending-deposit-decision';
import { NO_METRICS, type PaywallMetrics } from './paywall-metrics';
import {
  gatewayErrorResponse,
  PaywallRenderer,
  type PaymentContext,
  type PaywallResponse,
  type RetryAfter,
  type RoutePricing,
} from './paywall-response';
import { readPayment, type PaymentWire } from './payment-wire';
import { ReservationBook, type Reservation } from './reservation-book';
import type { RouteTable } from './route-table';
import { ChannelStreamPort } from '../stream/channel-stream-port';
import type { OpenedStream } from '../stream/node-stream-response';
import { startStreamMeter, type StreamPricing } from './stream-meter';

/** Who this gateway collects for and under which contract. */
export interface PaywallIdentity {
  readonly receiver: Address;
  /** The channel manager's EIP-712 domain (chain id + contract). */
  readonly domain: ChannelDomain;
  readonly token: Address;
  /** Prefix of the management API, sent in RDN-Gateway-Path. */
  readonly gatewayPath: string;
  /** The token's symbol and decimals when known (read from the chain at start-up): x402's `extra`, for people. */
  readonly tokenInfo?: X402TokenInfo;
}

/** Everything the paywall reads from a request; built by the proxy, the middleware or the interceptor. */
export interface PaywallRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Query string without `?` ('' when none). */
  readonly query: string;
  readonly headers: HeaderSource;
  readonly accept?: string | readonly string[];
  /** Absolute URL of the resource, for the x402 challenge and the paywall page. */
  readonly resourceUrl: string;
}

/** A verified payment held while the upstream works; pass it to {@link Paywall.complete} exactly once. */
export interface PaidTicket {
  readonly route: string;
  readonly method: string;
  /** The price, or a metered route's ceiling: what the proof had to authorise above the charged balance. */
  readonly price: bigint;
  /** `fixed` charges all the proof authorises; `metered` what the handler reports (docs/protocol.md 7.2). */
  readonly mode: RoutePricing['mode'];
  /** A streamed route's unit price and step (mode `stream`): the ticket goes to {@link Paywall.openStream}. */
  readonly stream?: StreamPricing;
  readonly payment: Payment;
  /** The header set the payment came on (RDN-* or x402's PAYMENT-SIGNATURE): the answer speaks it too. */
  readonly wire: PaymentWire;
  readonly signature: `0x${string}`;
  /** The accepted balance the payment was verified against: what the acceptance's compare-and-set first expects. */
  readonly committedBalance: bigint;
  /** The charged balance the payment was verified against: the compare-and-set's other expectation. */
  readonly committedCharged: bigint;
  /** The channel as it was verified against (read, or remembered from this replica's last acceptance). */
  readonly snapshot: ChannelSnapshot;
  readonly request: PaywallRequest;
  readonly reservation: Reservation;
  /** `performance.now()` when the payment was admitted: the start of the paid-request latency. */
  readonly admittedAt: number;
}

/** The paywall's verdict before the upstream is called. */
export type Admission =
  | { readonly kind: 'free'; readonly route: string }
  | { readonly kind: 'paid'; readonly ticket: PaidTicket }
  | { readonly kind: 'respond'; readonly response: PaywallResponse };

/**
 * How the upstream (or the embedded handler) did; `reported` is what a metered request said it cost (RDN-Charge or
 * reportCharge; ignored on a fixed-price route and on a status that is not charged).
 */
export type UpstreamOutcome =
  | { readonly status: number; readonly reported?: ReportedCharge }
  | { readonly failure: 'unreachable' | 'timeout' };

/** What to send after the upstream answered. */
export type Completion =
  /** Send the upstream's response with these headers added (receipt + challenge). */
  | {
      readonly kind: 'deliver';
      readonly headers: EncodedHeaders;
      readonly charged: bigint;
      /** The channel's charged balance after an acceptance (absent when nothing was accepted). */
      readonly chargedBalance?: bigint;
    }
  /** Discard the upstream's response and send this one. */
  | { readonly kind: 'respond'; readonly response: PaywallResponse };

/** A streamed route's response after its first proof: metered by the adapter, or refused. */
export type StreamOpening =
  | { readonly kind: 'open'; readonly stream: OpenedStream }
  | { readonly kind: 'respond'; readonly response: PaywallResponse };

/** Construction parameters of {@link Paywall}. */
export interface PaywallOptions {
  readonly identity: PaywallIdentity;
  readonly routes: RouteTable;
  readonly store: ChannelStore;
  /** Identifies this replica in `balance-proof.accepted` events. */
  readonly gatewayId: string;
  readonly metrics?: PaywallMetrics;
  readonly retryAfter?: RetryAfter;
  /** Refuses every request to a paid route while nothing follows the chain for the receiver (unset: never). */
  readonly chainGuard?: ChainGuardView;
  /**
   * Reads the chain when a proof is refused as CHANNEL_NOT_FOUND or BALANCE_EXCEEDS_DEPOSIT, to answer
   * CHANNEL_INSUFFICIENT_CONFIRMATIONS for a creation or top-up mined but not confirmed yet (unset: never).
   */
  readonly chainReads?: ChainChannelReads;
  readonly clock?: () => Date;
  /** Where unexpected failures (database down) are reported; never receives keys or signatures. */
  readonly log?: (message: string, extra: Record<string, string | number>) => void;
}

/** What a refusal may reveal: the wire to answer on and, after a verified signature, the channel's committed state. */
interface RefusalContext {
  readonly wire?: PaymentWire;
  readonly payment?: Payment;
  /** The channel's committed balance: sent as a receipt with BALANCE_STALE / INCREMENT_BELOW_PRICE only. */
  readonly committed?: bigint;
  /** The channel's charged balance, in that receipt too (RDN-Charged-Balance where it differs). */
  readonly charged?: bigint;
  readonly lastSignature?: Hex;
}

const MAX_ACCEPT_ATTEMPTS = 3;
const DATABASE_UNAVAILABLE_MESSAGE =
  "The gateway's database is unavailable or busy; this request was not charged. Retry after Retry-After seconds.";
const EVENT_SOURCE = 'gateway';

/**
 * The gateway's payment logic, framework-free. `admit` runs before the upstream: route price, payment headers,
 * channel, signature and balance against the committed balance and this process's reservations (docs/protocol.md
 * section 6). `complete` runs after it: on success (2xx or 3xx) one transaction compare-and-sets the accepted
 * balance and enqueues `balance-proof.accepted`; only after it committed may the upstream's response go out.
 */
export class Paywall {
  private readonly renderer: PaywallRenderer;
  private readonly reservations = new ReservationBook();
  private readonly openChannels = new OpenChannelCache();
  private readonly metrics: PaywallMetrics;
  private readonly clock: () => Date;

  constructor(private readonly options: PaywallOptions) {
    const { identity } = options;
    this.renderer = new PaywallRenderer(
      {
        gatewayPath: identity.gatewayPath,
        receiver: identity.receiver,
        channelManager: identity.domain.verifyingContract,
        token: identity.token,
        chainId: identity.domain.chainId,
      },
      options.retryAfter ?? { confirmations: 15, unavailable: 5 },
      identity.tokenInfo,
    );
    this.metrics = options.metrics ?? NO_METRICS;
    this.clock = options.clock ?? (() => new Date());
  }

  /** Who this gateway collects for (the x402 scheme renders its requirements from it). */
  get identity(): PaywallIdentity {
    return this.options.identity;
  }

  /** Payments in flight on this process (tests, metrics). */
  get inFlightChannels(): number {
    return this.reservations.size;
  }

  /** Decides what to do with a request before it reaches the upstream. */
  async admit(request: PaywallRequest): Promise<Admission> {
    const resolution = this.options.routes.resolve(request.method, request.path, request.query);
    switch (resolution.kind) {
      case 'not-found':
        this.metrics.rejected('(none)', 'NOT_FOUND');
        return this.respond(gatewayErrorResponse(new GatewayError('NOT_FOUND')));
      case 'method-not-allowed':
        this.metrics.rejected(resolution.route, 'METHOD_NOT_ALLOWED');
        return this.respond(
          gatewayErrorResponse(new GatewayError('METHOD_NOT_ALLOWED'), {
            Allow: resolution.allowed.filter((m) => m !== '*').join(', '),
          }),
        );
      case 'free':
        return { kind: 'free', route: resolution.route };
      case 'paid':
        return this.admitPayment(request, resolution.route, {
          price: resolution.price,
          mode: resolution.mode,
          ...(resolution.stream === undefined ? {} : { stream: resolution.stream }),
        });
      default: {
        const unreachable: never = resolution;
        throw new Error(`unhandled route resolution ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /**
   * The answer to a protocol error of a request that has no price of its own (the close API, docs/protocol.md
   * section 10): like every 402 and 409 it carries the challenge (section 8.3), priced at the lowest price of the
   * paid routes, so a client can check the domain or open a channel from it. Body by `accept`.
   */
  refusal(
    error: ProtocolError,
    request: { readonly resourceUrl: string; readonly accept?: string | readonly string[] },
  ): PaywallResponse {
    const price = this.options.routes.lowestPrice;
    return this.renderer.protocolError(error, {
      resourceUrl: request.resourceUrl,
      ...(price === undefined ? {} : { price }),
      ...(request.accept === undefined ? {} : { accept: request.accept }),
    });
  }

  /**
   * Whether `path` is a streamed route (docs/protocol.md 7.3): an adapter must leave such a request's body unread,
   * for the stream's top-up lines, and meter the response with {@link openStream}.
   */
  streams(path: string): boolean {
    return this.options.routes.streamPricingOf(path) !== undefined;
  }

  /** Reports a served free route (the adapters call it after the upstream answered). */
  servedFree(route: string): void {
    this.metrics.free(route);
  }

  /**
   * Admits a payment that x402's own middleware (`@x402/express`) decoded from PAYMENT-SIGNATURE, for `route` priced
   * `price`: the same checks, reservation and ticket as {@link admit} (see ./x402). Refusals speak the x402 wire.
   */
  async admitX402(
    payload: unknown,
    context: {
      readonly route: string;
      readonly method: string;
      readonly price: bigint;
      readonly resourceUrl: string;
    },
  ): Promise<Admission> {
    const { route } = context;
    const pricing: RoutePricing = { price: context.price, mode: 'fixed' };
    const request: PaywallRequest = {
      method: context.method,
      path: route,
      query: '',
      headers: {},
      resourceUrl: context.resourceUrl,
    };
    const chain = this.options.chainGuard?.verdict();
    if (chain !== undefined && !chain.open) {
      return this.chainUnavailable(route, request, pricing, chain, { wire: 'x402' });
    }
    const parsed = paymentOfX402Payload(payload);
    if (!parsed.ok) return this.reject(route, parsed.error, request, pricing, { wire: 'x402' });
    return this.judgePayment(request, route, pricing, 'x402', parsed.value, performance.now());
  }

  private async admitPayment(
    request: PaywallRequest,
    route: string,
    pricing: RoutePricing,
  ): Promise<Admission> {
    // Before the headers are even parsed: a client without a channel must not be told to open one (402) at a
    // gateway that could not defend it, and one with a channel must not pay into it (docs/protocol.md 8.2).
    const chain = this.options.chainGuard?.verdict();
    if (chain !== undefined && !chain.open) return this.chainUnavailable(route, request, pricing, chain);
    const started = performance.now();
    const { wire, payment: parsed } = readPayment(request.headers);
    if (!parsed.ok) return this.reject(route, parsed.error, request, pricing, { wire });
    return this.judgePayment(request, route, pricing, wire, parsed.value, started);
  }

  /** Section 6's checks of a parsed payment against the channel, then a reservation and a ticket. */
  private async judgePayment(
    request: PaywallRequest,
    route: string,
    pricing: RoutePricing,
    wire: PaymentWire,
    payment: Payment,
    started: number,
  ): Promise<Admission> {
    const { price } = pricing;
    // Echoed chain, contract and receiver are checked before the channel is read: a wrong domain costs no I/O.
    if (this.echoesAnotherDomain(payment)) {
      const echo = this.verify(payment, undefined, 0n, 0n, price);
      if (!echo.accepted && echo.error.code !== 'CHANNEL_NOT_FOUND') {
        return this.reject(route, echo.error, request, pricing, { wire, payment });
      }
    }

    // A channel this replica knows to be open is verified without a read; the commit re-checks everything.
    let snapshot = this.openChannels.get(payment.channelId);
    let remembered = snapshot !== undefined;
    let committed = 0n;
    let charged = 0n;
    let decision: PaymentDecision;
    for (;;) {
      if (!remembered) {
        try {
          snapshot = await this.options.store.snapshot(payment.channelId);
        } catch (err) {
          return this.unavailable(route, request, pricing, err, 'reading a channel', { wire, payment });
        }
        this.openChannels.remember(snapshot, payment.channelId);
      }
      committed = snapshot?.acceptedBalance ?? 0n;
      charged = snapshot?.chargedBalance ?? 0n;
      // A balance in flight on this process counts as signed and as fully charged (docs/protocol.md 7.2).
      const held = this.reservations.highest(payment.channelId) ?? 0n;
      decision = this.verify(payment, snapshot, maxOf(committed, held), maxOf(charged, held), price);
      // Every refusal over a remembered row is judged again on the current one: the remembered row may miss a
      // top-up, another replica's acceptance (the client needs the current balance to resync) or a close, and
      // section 6's order puts the channel's state before the signature, so what this replica happens to remember
      // must not turn a CHANNEL_CLOSING into an INVALID_SIGNATURE.
      if (decision.accepted || !remembered) break;
      remembered = false;
    }
    this.metrics.verifySeconds((performance.now() - started) / 1000);
    if (!decision.accepted || snapshot === undefined) {
      const error = decision.accepted ? new ProtocolError('CHANNEL_NOT_FOUND') : decision.error;
      const judged = await this.pendingOnChain(payment, error);
      const lastSignature = snapshot?.lastSignature;
      const context = { wire, payment, committed, charged, lastSignature };
      return this.reject(route, judged, request, pricing, context);
    }
    const reservation = this.reservations.reserve(payment.channelId, decision.balance);
    return {
      kind: 'paid',
      ticket: {
        route,
        method: request.method.toUpperCase(),
        price,
        mode: pricing.mode,
        ...(pricing.stream === undefined ? {} : { stream: pricing.stream }),
        payment,
        wire,
        signature: decision.signature,
        committedBalance: committed,
        committedCharged: charged,
        snapshot,
        request,
        reservation,
        admittedAt: started,
      },
    };
  }

  /**
   * A proof refused because this gateway does not know the channel, or knows too small a deposit, may be waiting
   * for the confirmations of a creation or top-up already mined (docs/protocol.md section 6, step 9): the chain
   * decides. Only for a proof that RDN-Sender-Address signed, so that garbage costs no RPC read: a session key's proof
   * for a channel not seen yet stays CHANNEL_NOT_FOUND, which clients retry like a wait for confirmations.
   */
  private async pendingOnChain(payment: Payment, refusal: ProtocolError): Promise<ProtocolError> {
    const chain = this.options.chainReads;
    if (chain === undefined || !PENDING_CANDIDATES.has(refusal.code)) return refusal;
    const { receiver, domain } = this.options.identity;
    const signed = verifyBalanceProofSignature(
      domain,
      { channelId: payment.channelId, receiver, balance: payment.balance },
      payment.signature,
      payment.sender,
    );
    if (!signed.ok) return refusal;
    const judge = (state: ChainChannelState) =>
      decidePendingDeposit({ refusal, payment, receiver, chain: state, required: chain.required });
    const state = await chain.stateOf(payment.channelId, (cached) => judge(cached) !== refusal);
    return state === undefined ? refusal : judge(state);
  }

  /**
   * Settles a paid request after the upstream answered. Always releases the ticket's reservation; call it
   * exactly once per ticket, also when the client went away.
   */
  async complete(ticket: PaidTicket, outcome: UpstreamOutcome): Promise<Completion> {
    let completion: Completion | undefined;
    try {
      // A streamed route's response is metered only by openStream: an adapter that does not stream (the fetch
      // handler, the Fastify plugin, the Nest interceptor) must not deliver it, charged nothing.
      if (ticket.stream !== undefined) {
        this.metrics.rejected(ticket.route, 'STREAM_NOT_SUPPORTED');
        completion = {
          kind: 'respond',
          response: gatewayErrorResponse(new GatewayError('STREAM_NOT_SUPPORTED')),
        };
        return completion;
      }
      completion =
        'status' in outcome && isChargeableStatus(outcome.status)
          ? await this.accept(ticket, outcome.reported)
          : await this.notCharged(ticket, outcome);
      return completion;
    } finally {
      this.reservations.release(ticket.reservation);
      const charged = completion?.kind === 'deliver' && completion.charged > 0n;
      this.metrics.paidRequestSeconds(
        ticket.route,
        charged ? 'paid' : 'not_charged',
        (performance.now() - ticket.admittedAt) / 1000,
      );
    }
  }

  /**
   * Opens the response of a streamed route (docs/protocol.md 7.3) for a ticket `admit` issued: its proof is accepted
   * at once, charging nothing (durable before the first byte; a refusal is answered like any), and the adapter meters
   * the response with the returned meter and port (top-ups, final charge). The stream keeps this process's
   * reservation of the channel, moved to each top-up's balance, until `release()`.
   */
  async openStream(ticket: PaidTicket): Promise<StreamOpening> {
    const pricing = ticket.stream;
    if (pricing === undefined) throw new Error(`${ticket.route} is not a streamed route`);
    let completion: Completion;
    try {
      completion = await this.accept(ticket, undefined);
    } catch (err) {
      this.reservations.release(ticket.reservation);
      throw err;
    }
    if (completion.kind === 'respond') {
      this.reservations.release(ticket.reservation);
      return completion;
    }
    const { payment } = ticket;
    let reservation = ticket.reservation;
    const port = new ChannelStreamPort({
      store: this.options.store,
      receiver: this.options.identity.receiver,
      domain: this.options.identity.domain,
      gatewayId: this.options.gatewayId,
      channelId: payment.channelId,
      sender: payment.sender,
      route: ticket.route,
      method: ticket.method,
      pricing,
      snapshot: ticket.snapshot,
      clock: this.clock,
      onAccepted: (balance) => {
        const next = this.reservations.reserve(payment.channelId, balance);
        this.reservations.release(reservation);
        reservation = next;
      },
      onCharged: (amount) => this.metrics.paid(ticket.route, amount),
    });
    // An acceptance always reports the charged balance it left (the first one of a stream: C unchanged).
    const meter = startStreamMeter(
      pricing,
      completion.chargedBalance ?? ticket.committedCharged,
      payment.balance,
    );
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.reservations.release(reservation);
      // This replica's remembered row no longer has the stream's charged balance: read it afresh next time.
      this.openChannels.forget(payment.channelId);
      this.metrics.paidRequestSeconds(ticket.route, 'paid', (performance.now() - ticket.admittedAt) / 1000);
    };
    return { kind: 'open', stream: { headers: completion.headers, meter, port, release } };
  }

  /**
   * The answer to a paid request whose upstream failed, judged on the channel's current row (docs/protocol.md
   * section 7): the receipt reports the fleet's committed balance, not the one this replica verified against (which
   * may be remembered, or moved by another replica meanwhile), and a proof the current row refuses gets that
   * refusal, as it would have at admission on a fresh read (a channel closed or settled meanwhile).
   */
  private async notCharged(ticket: PaidTicket, outcome: UpstreamOutcome): Promise<Completion> {
    const { payment } = ticket;
    const judged = await this.rejudge(ticket);
    if ('kind' in judged) return judged;
    const { committed, charged, decision, lastSignature } = judged;
    if (!decision.accepted) {
      const { request, route, wire } = ticket;
      const context = { wire, payment, committed, charged, lastSignature };
      const rejected = this.reject(route, decision.error, request, pricingOf(ticket), context);
      return { kind: 'respond', response: rejected.response };
    }
    const headers = this.renderer.replyHeaders(
      { channelId: payment.channelId, senderBalance: committed, cost: 0n, chargedBalance: charged },
      pricingOf(ticket),
      this.paymentContext({ wire: ticket.wire, payment }),
    );
    if ('failure' in outcome) {
      const error = new GatewayError(
        outcome.failure === 'timeout' ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNREACHABLE',
      );
      this.metrics.rejected(ticket.route, error.code);
      return { kind: 'respond', response: gatewayErrorResponse(error, headers) };
    }
    this.metrics.rejected(ticket.route, `UPSTREAM_${outcome.status}`);
    return { kind: 'deliver', headers, charged: 0n };
  }

  private async accept(ticket: PaidTicket, reported: ReportedCharge | undefined): Promise<Completion> {
    const { payment } = ticket;
    // First try against the balances the proof was verified against; if another request moved them meanwhile,
    // re-verify against the new ones and try again (the proof may still pay for this request).
    let previous = ticket.committedBalance;
    let charged = ticket.committedCharged;
    for (let attempt = 1; ; attempt++) {
      const { mode, price } = ticket;
      const decided = decideCharge({ mode, price, authorised: payment.balance - charged, reported });
      const started = performance.now();
      let accepted: boolean;
      try {
        accepted = await this.options.store.accept(
          {
            channelId: payment.channelId,
            expectedPrevious: previous,
            expectedCharged: charged,
            balance: payment.balance,
            price,
            charge: decided.charge,
            signature: ticket.signature,
          },
          this.acceptedEvent(ticket, previous, charged, decided.charge),
        );
      } catch (err) {
        return this.unavailableCompletion(ticket, err);
      }
      this.metrics.acceptSeconds((performance.now() - started) / 1000);
      if (accepted) return this.charged(ticket, charged, decided.charge, decided.fallback, reported);
      // The compare-and-set matched nothing: find out why from the current row and answer precisely.
      const judged = await this.rejudge(ticket);
      if ('kind' in judged) return judged;
      const { committed, decision, lastSignature } = judged;
      if (!decision.accepted || attempt >= MAX_ACCEPT_ATTEMPTS) {
        const error = decision.accepted
          ? new ProtocolError('BALANCE_STALE', {
              balance: payment.balance.toString(),
              lastAccepted: committed.toString(),
            })
          : decision.error;
        const context = { wire: ticket.wire, payment, committed, charged: judged.charged, lastSignature };
        const rejected = this.reject(ticket.route, error, ticket.request, pricingOf(ticket), context);
        return { kind: 'respond', response: rejected.response };
      }
      previous = committed;
      charged = judged.charged;
    }
  }

  /** The delivery of a committed acceptance that charged `charge` on top of `before`, with its receipt. */
  private charged(
    ticket: PaidTicket,
    before: bigint,
    charge: bigint,
    fallback: MeterFallback | undefined,
    reported: ReportedCharge | undefined,
  ): Completion {
    const { payment } = ticket;
    const chargedBalance = before + charge;
    if (fallback !== undefined) this.meterFallback(ticket, fallback, reported);
    this.openChannels.accepted(ticket.snapshot, payment.balance, chargedBalance, ticket.signature);
    this.metrics.paid(ticket.route, charge);
    const headers = this.renderer.replyHeaders(
      { channelId: payment.channelId, senderBalance: payment.balance, cost: charge, chargedBalance },
      pricingOf(ticket),
      this.paymentContext({ wire: ticket.wire, payment }),
    );
    return { kind: 'deliver', headers, charged: charge, chargedBalance };
  }

  /** A metered request charged its ceiling because its report was above it, malformed or missing: count, log. */
  private meterFallback(
    ticket: PaidTicket,
    fallback: MeterFallback,
    reported: ReportedCharge | undefined,
  ): void {
    this.metrics.meterFallback(ticket.route, fallback);
    if (reported === undefined) return;
    // Never the proof or the signature: the route, the ceiling and what was reported.
    const what = 'amount' in reported ? reported.amount.toString() : `malformed (${reported.malformed})`;
    const message =
      fallback === 'overreport'
        ? 'metered charge reported above the ceiling; charged the ceiling'
        : 'metered charge reported malformed; charged the ceiling';
    this.options.log?.(message, { route: ticket.route, ceiling: ticket.price.toString(), reported: what });
  }

  private acceptedEvent(
    ticket: PaidTicket,
    previous: bigint,
    charged: bigint,
    charge: bigint,
  ): MicroraidenEvent {
    const { identity, gatewayId } = this.options;
    const { payment } = ticket;
    const increment = payment.balance - previous;
    const chargedBalance = charged + charge;
    return createBalanceProofAccepted(
      {
        channelId: payment.channelId,
        sender: payment.sender,
        receiver: identity.receiver,
        channelManager: identity.domain.verifyingContract,
        chainId: Number(identity.domain.chainId),
        balance: payment.balance,
        previousBalance: previous,
        increment,
        price: ticket.price,
        signature: ticket.signature,
        route: ticket.route,
        method: ticket.method,
        gatewayId,
        acceptedAt: this.clock().toISOString(),
        // Absent means increment and balance: a fixed price on a channel charged all it signed writes what it did.
        ...(charge === increment && chargedBalance === payment.balance ? {} : { charge, chargedBalance }),
        // The watcher verifies the signature before keeping the proof for a dispute: it must know the second key.
        ...(ticket.snapshot.signer === undefined ? {} : { signer: ticket.snapshot.signer }),
      },
      { source: EVENT_SOURCE },
    );
  }

  // Cheap pre-test so the common (matching) case builds no error object; verifyPayment gives the precise code.
  private echoesAnotherDomain(payment: Payment): boolean {
    const { identity } = this.options;
    return (
      (payment.chainId !== undefined && payment.chainId !== identity.domain.chainId) ||
      (payment.channelManager !== undefined &&
        payment.channelManager.toLowerCase() !== identity.domain.verifyingContract.toLowerCase()) ||
      (payment.receiver !== undefined && payment.receiver.toLowerCase() !== identity.receiver.toLowerCase())
    );
  }

  /** Judge the ticket's proof again on the channel's current row (remembered afresh), or answer 503 if unreadable. */
  private async rejudge(
    ticket: PaidTicket,
  ): Promise<
    | Completion
    | { committed: bigint; charged: bigint; decision: PaymentDecision; lastSignature: Hex | undefined }
  > {
    const { payment } = ticket;
    let snapshot: ChannelSnapshot | undefined;
    try {
      snapshot = await this.options.store.snapshot(payment.channelId);
    } catch (err) {
      this.openChannels.forget(payment.channelId);
      return this.unavailableCompletion(ticket, err);
    }
    this.openChannels.remember(snapshot, payment.channelId);
    const committed = snapshot?.acceptedBalance ?? 0n;
    const charged = snapshot?.chargedBalance ?? 0n;
    const decision = this.verify(payment, snapshot, committed, charged, ticket.price);
    return { committed, charged, decision, lastSignature: snapshot?.lastSignature };
  }

  private verify(
    payment: Payment,
    snapshot: ChannelSnapshot | undefined,
    lastAcceptedBalance: bigint,
    chargedBalance: bigint,
    price: bigint,
  ): PaymentDecision {
    return verifyPayment({
      payment,
      gateway: { receiver: this.options.identity.receiver, domain: this.options.identity.domain },
      channel: channelViewOf(snapshot),
      requiredConfirmations: REQUIRED_CONFIRMATIONS,
      lastAcceptedBalance,
      chargedBalance,
      price,
    });
  }

  private respond(response: PaywallResponse): { kind: 'respond'; response: PaywallResponse } {
    return { kind: 'respond', response };
  }

  private paymentContext(context: RefusalContext): PaymentContext | undefined {
    if (context.wire === undefined) return undefined;
    return {
      wire: context.wire,
      ...(context.payment === undefined ? {} : { sender: context.payment.sender }),
      ...(context.lastSignature === undefined ? {} : { lastSignature: context.lastSignature }),
    };
  }

  private reject(
    route: string,
    error: ProtocolError,
    request: PaywallRequest,
    pricing: RoutePricing,
    context: RefusalContext = {},
  ): { kind: 'respond'; response: PaywallResponse } {
    this.metrics.rejected(route, error.code);
    const { payment, committed, charged } = context;
    // The balance is revealed only where the signature already verified (docs/protocol.md 5.3).
    const withReceipt =
      payment !== undefined &&
      committed !== undefined &&
      (error.code === 'BALANCE_STALE' || error.code === 'INCREMENT_BELOW_PRICE');
    const paymentContext = this.paymentContext(context);
    const receipt = withReceipt
      ? {
          channelId: payment.channelId,
          senderBalance: committed,
          cost: 0n,
          ...(charged === undefined ? {} : { chargedBalance: charged }),
        }
      : undefined;
    return this.respond(
      this.renderer.protocolError(error, {
        price: pricing.price,
        priceMode: pricing.mode,
        ...(pricing.stream === undefined ? {} : { stream: pricing.stream }),
        resourceUrl: request.resourceUrl,
        ...(request.accept === undefined ? {} : { accept: request.accept }),
        ...(receipt === undefined ? {} : { receipt }),
        ...(paymentContext === undefined ? {} : { payment: paymentContext }),
      }),
    );
  }

  private unavailable(
    route: string,
    request: PaywallRequest,
    pricing: RoutePricing,
    err: unknown,
    what: string,
    context: RefusalContext,
  ): { kind: 'respond'; response: PaywallResponse } {
    this.options.log?.(`gateway unavailable while ${what}`, {
      error: (err as Error)?.message ?? String(err),
    });
    // The cause stays in the log (it may name internal addresses); the client learns only that it was the database.
    const error = isTransientDatabaseError(err)
      ? new ProtocolError('GATEWAY_UNAVAILABLE', {}, { message: DATABASE_UNAVAILABLE_MESSAGE })
      : new ProtocolError('GATEWAY_UNAVAILABLE');
    return this.reject(route, error, request, pricing, { wire: context.wire, payment: context.payment });
  }

  private chainUnavailable(
    route: string,
    request: PaywallRequest,
    pricing: RoutePricing,
    verdict: Extract<ChainVerdict, { open: false }>,
    context: RefusalContext = {},
  ): { kind: 'respond'; response: PaywallResponse } {
    const seconds = Math.floor(verdict.notReadyForMs / 1000);
    // Not why (it may name internal addresses): the gateway logs that when the guard closes.
    const message = `The gateway accepts no payments now: the chain-watcher has not been ready for ${seconds} s.`;
    return this.reject(
      route,
      new ProtocolError('GATEWAY_UNAVAILABLE', {}, { message }),
      request,
      pricing,
      context,
    );
  }

  private unavailableCompletion(ticket: PaidTicket, err: unknown): Completion {
    // The acceptance may not be durable: the upstream's response must not go out (it was not paid for).
    const { route, request, wire, payment } = ticket;
    const rejected = this.unavailable(route, request, pricingOf(ticket), err, 'accepting a payment', {
      wire,
      payment,
    });
    return { kind: 'respond', response: rejected.response };
  }
}

function pricingOf(ticket: PaidTicket): RoutePricing {
  return {
    price: ticket.price,
    mode: ticket.mode,
    ...(ticket.stream === undefined ? {} : { stream: ticket.stream }),
  };
}

function maxOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
