import {
  parsePriceField,
  parseX402PaymentRequired,
  parseX402Response,
  X402_SCHEME,
  X402_VERSION,
  x402SettleResponse,
  type X402ChannelState,
  type X402TokenInfo,
} from '@microraiden/protocol';
import type { FacilitatorClient } from '@x402/core/server';
import type {
  PaymentPayload,
  PaymentRequirements,
  SchemeNetworkServer,
  SettleResponse,
  SupportedResponse,
  VerifyResponse,
} from '@x402/core/types';
import type { Admission, PaidTicket, Paywall } from '../core/paywall';
import type { PaywallResponse } from '../core/paywall-response';
import { channelPrice, channelRequirements, networkOf, withChannelState } from './x402-requirements';

/** The request a payment came with, as x402's middleware tells its scheme hooks. */
interface RequestOfPayment {
  readonly route: string;
  readonly method: string;
  readonly resourceUrl: string;
}

/** What became of a payment x402's middleware asked us to verify. */
type Verdict =
  | { readonly kind: 'admitted'; readonly ticket: PaidTicket }
  | { readonly kind: 'refused'; readonly channel: X402ChannelState | undefined };

/** Options of {@link MicroraidenX402}. */
export interface MicroraidenX402Options {
  /** The token as people read it, for `extra.symbol` / `extra.decimals` (and x402's `$` overrides: never used). */
  readonly token?: X402TokenInfo;
}

// x402 calls the scheme's hooks and the facilitator with the same decoded payload object, from verification to
// settlement or cancellation: it keys what one step leaves for the next.
type PayloadKey = object;

/**
 * The `microraiden-channel` scheme for x402's own server middleware (`@x402/express`, any x402ResourceServer):
 * `scheme` is its SchemeNetworkServer and `facilitator` a local FacilitatorClient whose verify and settle are the
 * gateway's own, in process: verify admits the payment exactly as a PAYMENT-SIGNATURE at the gateway (section 6
 * checks, a reservation), settle is the acceptance's compare-and-set in Postgres (once, docs/protocol.md section 7),
 * and a handler that fails (status >= 400) releases the reservation uncharged. No facilitator round trip.
 */
export class MicroraidenX402 {
  readonly scheme: SchemeNetworkServer;
  readonly facilitator: FacilitatorClient;
  private readonly requests = new WeakMap<PayloadKey, RequestOfPayment>();
  private readonly verdicts = new WeakMap<PayloadKey, Verdict>();

  constructor(
    private readonly paywall: Paywall,
    private readonly options: MicroraidenX402Options = {},
  ) {
    this.scheme = this.createScheme();
    this.facilitator = {
      verify: (payload, requirements) => this.verify(payload, requirements),
      settle: (payload) => this.settle(payload),
      getSupported: async (): Promise<SupportedResponse> => ({
        kinds: [{ x402Version: X402_VERSION, scheme: X402_SCHEME, network: networkOf(paywall.identity) }],
        extensions: [],
        signers: {},
      }),
    };
  }

  private createScheme(): SchemeNetworkServer {
    const identity = this.paywall.identity;
    return {
      scheme: X402_SCHEME,
      defaultAssetTransferMethod: 'default',
      // Verify before the handler, settle (accept) after it succeeded: charge on success only.
      paymentFlows: { default: { supported: ['authorization'], default: 'authorization' } },
      // A corrective 402's channel state must not stop the echoed requirement from matching.
      dynamicExtraFields: ['channel'],
      parsePrice: async (price, network) => channelPrice(identity, price, network),
      getAssetDecimals: () => this.options.token?.decimals,
      enhancePaymentRequirements: async (requirements) =>
        channelRequirements(identity, requirements, this.options.token),
      enrichPaymentRequiredResponse: async (context) => {
        const verdict =
          context.paymentPayload === undefined ? undefined : this.verdicts.get(context.paymentPayload);
        if (verdict?.kind !== 'refused' || verdict.channel === undefined) return undefined;
        const channel = verdict.channel;
        return context.requirements.map((r) => (r.scheme === X402_SCHEME ? withChannelState(r, channel) : r));
      },
      schemeHooks: {
        onBeforeVerify: async (context) => {
          this.remember(context.paymentPayload, context.transportContext);
        },
        onVerifiedPaymentCanceled: async (context) => {
          const verdict = this.verdicts.get(context.paymentPayload);
          if (verdict?.kind !== 'admitted') return;
          this.verdicts.delete(context.paymentPayload);
          await this.paywall.complete(verdict.ticket, { status: context.responseStatus ?? 500 });
        },
      },
    };
  }

  // The route pattern and method of the request, for the acceptance event (its route and method).
  private remember(payload: PayloadKey, transport: unknown): void {
    const request = (transport as { request?: { routePattern?: string; path?: string; method?: string } })
      ?.request;
    const url = (
      transport as { request?: { adapter?: { getUrl?: () => string } } }
    )?.request?.adapter?.getUrl?.();
    const route = request?.routePattern ?? request?.path;
    if (route === undefined || !route.startsWith('/')) return;
    this.requests.set(payload, {
      route,
      method: (request?.method ?? 'GET').toUpperCase(),
      resourceUrl: url ?? route,
    });
  }

  private async verify(payload: PaymentPayload, requirements: PaymentRequirements): Promise<VerifyResponse> {
    const price = parsePriceField(requirements.amount);
    const request = this.requests.get(payload);
    if (!price.ok || request === undefined) {
      return {
        isValid: false,
        invalidReason: 'PAYMENT_MALFORMED',
        invalidMessage: 'not a microraiden-channel request',
      };
    }
    const admission: Admission = await this.paywall.admitX402(payload, { ...request, price: price.value });
    if (admission.kind === 'paid') {
      this.verdicts.set(payload, { kind: 'admitted', ticket: admission.ticket });
      return { isValid: true, payer: admission.ticket.payment.sender };
    }
    if (admission.kind !== 'respond') throw new Error('a paid route was admitted as free');
    const refusal = refusalOf(admission.response);
    this.verdicts.set(payload, { kind: 'refused', channel: refusal.channel });
    return {
      isValid: false,
      invalidReason: refusal.code,
      invalidMessage: refusal.message,
      ...(refusal.payer === undefined ? {} : { payer: refusal.payer }),
    };
  }

  private async settle(payload: PaymentPayload): Promise<SettleResponse> {
    const chainId = this.paywall.identity.domain.chainId;
    const verdict = this.verdicts.get(payload);
    this.verdicts.delete(payload);
    if (verdict?.kind !== 'admitted') {
      const outcome = { kind: 'refused', code: 'PAYMENT_REQUIRED', message: 'not verified' } as const;
      return x402SettleResponse(chainId, outcome) as SettleResponse;
    }
    // x402's middleware settles only after a 2xx or 3xx: the chargeable outcome.
    const completion = await this.paywall.complete(verdict.ticket, { status: 200 });
    if (completion.kind === 'deliver') {
      const parsed = parseX402Response(completion.headers);
      const receipt = parsed.ok ? parsed.value?.extra : undefined;
      if (receipt !== undefined) {
        const outcome = { kind: 'receipt', receipt, payer: verdict.ticket.payment.sender } as const;
        return x402SettleResponse(chainId, outcome) as SettleResponse;
      }
    }
    const refusal = completion.kind === 'respond' ? refusalOf(completion.response) : undefined;
    const outcome = {
      kind: 'refused',
      code: refusal?.code ?? 'GATEWAY_UNAVAILABLE',
      message: refusal?.message ?? 'not accepted',
      ...(refusal?.payer === undefined ? {} : { payer: refusal.payer }),
    } as const;
    return x402SettleResponse(chainId, outcome) as SettleResponse;
  }
}

/** The code, message, payer and corrective channel state of a refusal the paywall rendered for the x402 wire. */
function refusalOf(response: PaywallResponse) {
  const settled = parseX402Response(response.headers);
  const value = settled.ok ? settled.value : undefined;
  const required = parseX402PaymentRequired(response.headers);
  return {
    code: value?.errorReason ?? response.headers['RDN-Error'] ?? 'PAYMENT_REQUIRED',
    message: value?.errorMessage ?? '',
    payer: value?.payer,
    channel: required.ok ? required.value.channel : undefined,
  };
}
