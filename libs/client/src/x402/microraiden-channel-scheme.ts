import type {
  PaymentPayloadContext,
  PaymentPayloadResult,
  PaymentRequirements,
  SchemeClientHooks,
  SchemeNetworkClient,
} from '@x402/core/types';
import type { PaymentResponseContext } from '@x402/core/client';
import {
  channelDomain,
  parseX402Requirements,
  recoverBalanceProofSigner,
  sameAddress,
  X402_SCHEME,
  type Challenge,
  type Hex32,
  type ParsedX402Challenge,
} from '@microraiden/protocol';
import { ClientError } from '../client-error';
import { checkChallenge, checkNotStreamed } from '../payment/challenge-check';
import type { PaymentWallet } from '../payment/payment-wallet';
import { decideX402Answer } from './x402-answer-decision';

/** Limits of the x402 scheme client, as paidFetch takes them. */
export interface MicroraidenX402Options {
  /** Refuse, without signing anything, a price above this (token base units). */
  readonly maxPricePerRequest: bigint;
  /** Open or top up a channel to at most this deposit when none can pay. Default 0: existing channels only. */
  readonly maxDeposit?: bigint;
  /**
   * @x402/fetch retries a paid request once: on CHANNEL_NOT_FOUND (a channel just opened, not yet seen by the
   * gateway) the hook waits this long before that retry. Default 3000 ms.
   */
  readonly channelWaitMs?: number;
}

/** A committed state from a corrective 402 whose signature recovered to the sender. */
interface VerifiedState {
  readonly balance: bigint;
  readonly price: bigint;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `@x402/core`'s SchemeNetworkClient for scheme `microraiden-channel` (docs/protocol.md 11): pays with a
 * cumulative balance proof over a channel to `payTo`, opening or topping one up within `maxDeposit`, and
 * re-syncs on the corrective 402 through its `onPaymentResponse` hook, which @x402/fetch hands the corrective
 * PAYMENT-REQUIRED (a 402 carries no PAYMENT-RESPONSE, docs/protocol.md 11.4).
 */
export class MicroraidenChannelScheme implements SchemeNetworkClient {
  readonly scheme = X402_SCHEME;
  readonly schemeHooks: SchemeClientHooks;
  private readonly verified = new Map<Hex32, VerifiedState>();
  private readonly repriced = new Map<string, bigint>();

  constructor(
    private readonly wallet: PaymentWallet,
    private readonly options: MicroraidenX402Options,
  ) {
    const { maxPricePerRequest, maxDeposit = 0n } = options;
    if (typeof maxPricePerRequest !== 'bigint' || maxPricePerRequest < 0n || maxDeposit < 0n) {
      throw new ClientError('INVALID_AMOUNT', 'maxPricePerRequest and maxDeposit must be bigints >= 0');
    }
    this.schemeHooks = { onPaymentResponse: (ctx) => this.onPaymentResponse(ctx) };
  }

  async createPaymentPayload(
    x402Version: number,
    requirements: PaymentRequirements,
    context?: PaymentPayloadContext,
  ): Promise<PaymentPayloadResult> {
    const challenge = this.challengeOf(requirements);
    checkNotStreamed(challenge);
    checkChallenge(challenge, await this.wallet.paymentIdentity(), this.options.maxPricePerRequest);
    const cap = context?.maxAmountPerPayment;
    if (cap !== undefined && /^\d+$/.test(cap) && challenge.price > BigInt(cap)) {
      throw new ClientError(
        'PRICE_TOO_HIGH',
        `the gateway asks ${challenge.price}, above x402's cap of ${cap}`,
        {
          price: challenge.price.toString(),
          maxPrice: cap,
        },
      );
    }
    const channelId = await this.wallet.fundChannel({
      receiver: challenge.receiver,
      amount: challenge.price,
      maxDeposit: this.options.maxDeposit ?? 0n,
    });
    const proof = await this.wallet.preparePayment({
      channelId,
      price: challenge.price,
      maxIncrement: this.options.maxPricePerRequest,
    });
    return {
      x402Version,
      payload: {
        sender: proof.sender,
        channelId,
        balance: proof.balance.toString(),
        signature: proof.signature,
      },
    };
  }

  /** The challenge of a requirement, at the price a corrective 402 raised it to. */
  private challengeOf(requirements: PaymentRequirements): Challenge {
    const parsed = parseX402Requirements(requirements);
    if (!parsed.ok) {
      throw new ClientError('CHALLENGE_MISMATCH', `not a ${X402_SCHEME} requirement: ${parsed.error}`, {
        field: 'requirements',
        expected: X402_SCHEME,
        received: String(requirements.scheme),
      });
    }
    const { challenge } = parsed.value;
    const price = this.repriced.get(challenge.receiver.toLowerCase());
    return price !== undefined && price > challenge.price ? { ...challenge, price } : challenge;
  }

  private async remember(offer: ParsedX402Challenge): Promise<void> {
    const { channel, challenge } = offer;
    if (!channel?.signature) return;
    const identity = await this.wallet.paymentIdentity();
    if (!sameAddress(channel.sender, identity.sender)) return;
    const signer = recoverBalanceProofSigner(
      channelDomain(challenge.chainId, challenge.channelManager),
      { channelId: channel.channelId, receiver: challenge.receiver, balance: channel.balance },
      channel.signature,
    );
    if (!signer.ok || !sameAddress(signer.value, identity.sender)) return;
    this.verified.set(channel.channelId, { balance: channel.balance, price: challenge.price });
    this.repriced.set(challenge.receiver.toLowerCase(), challenge.price);
  }

  private async onPaymentResponse(ctx: PaymentResponseContext): Promise<void | { recovered: true }> {
    const payload = ctx.paymentPayload.payload as { channelId?: unknown; balance?: unknown };
    if (ctx.requirements.scheme !== X402_SCHEME || typeof payload.channelId !== 'string') return;
    const channelId = payload.channelId.toLowerCase() as Hex32;
    if (ctx.paymentRequired) {
      const offer = ctx.paymentRequired.accepts.map(parseX402Requirements).find((o) => o.ok);
      if (offer?.ok) await this.remember({ ...offer.value, resource: undefined, error: undefined });
    }
    const settle = ctx.settleResponse as
      { errorReason?: string; extra?: Record<string, unknown> } | undefined;
    const receipt = settle?.extra;
    const ours = receipt !== undefined && String(receipt.channelId).toLowerCase() === channelId;
    const amountOf = (value: unknown) =>
      ours && /^\d+$/.test(String(value)) ? BigInt(String(value)) : undefined;
    const claimed = amountOf(receipt?.senderBalance);
    const decision = decideX402Answer({
      channelId,
      sentBalance: BigInt(String(payload.balance ?? '0')),
      code: settle?.errorReason ?? ctx.paymentRequired?.error,
      claimedBalance: claimed,
      claimedChargedBalance: amountOf(receipt?.chargedBalance),
      verifiedBalance: this.verified.get(channelId)?.balance,
    });
    this.verified.delete(channelId);
    if (decision.kind === 'wait') {
      await sleep(this.options.channelWaitMs ?? 3_000);
      return { recovered: true };
    }
    if (decision.kind !== 'acknowledge') return;
    await this.wallet.recordReceiverBalance({
      channelId,
      balance: decision.balance,
      chargedBalance: decision.chargedBalance,
    });
    return decision.retry ? { recovered: true } : undefined;
  }
}
