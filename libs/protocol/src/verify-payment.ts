import { sameAddress } from './address';
import type { ChannelDomain } from './eip712-domain';
import type { Address, Hex } from './hex';
import type { Payment } from './payment-headers';
import { ProtocolError } from './protocol-error';
import { verifyBalanceProofSignature } from './recover-signer';
import { defaultBackend, type Secp256k1Backend } from './secp256k1-backend';

/** Who the gateway is: the receiver it collects for and the channel manager domain it trusts. */
export interface GatewayIdentity {
  readonly receiver: Address;
  /** Carries chainId and the channel manager address (verifyingContract). */
  readonly domain: ChannelDomain;
}

/** A channel as the gateway currently knows it from the chain. */
export interface ChannelView {
  readonly sender: Address;
  readonly receiver: Address;
  /**
   * The channel's balance signer (`ChannelSignerSet`, docs/protocol.md section 3): a session key whose balance
   * proofs count as the sender's. Absent when the channel has none.
   */
  readonly signer?: Address;
  /** The deposit the gateway trusts (confirmed), in token base units. */
  readonly deposit: bigint;
  /**
   * The deposit including top-ups seen but not yet confirmed. A balance above `deposit` but within this
   * is CHANNEL_INSUFFICIENT_CONFIRMATIONS (wait), not BALANCE_EXCEEDS_DEPOSIT (which tells the client
   * to top up again). Omit when there is no pending top-up.
   */
  readonly unconfirmedDeposit?: bigint;
  /** `closing` once an uncooperative close is seen on chain or the receiver has issued a closing signature. */
  readonly state: 'open' | 'closing';
  /** Blocks mined on top of the block that created the channel (`head - b`, docs/protocol.md section 6). */
  readonly confirmations: number;
}

/** Who may sign the channel's balance proofs: its sender, and its balance signer when it has one. */
export function balanceSignersOf(channel: Pick<ChannelView, 'sender' | 'signer'>): readonly Address[] {
  return channel.signer === undefined ? [channel.sender] : [channel.sender, channel.signer];
}

/** Everything verifyPayment decides on; it does no I/O. */
export interface VerifyPaymentInput {
  readonly payment: Payment;
  readonly gateway: GatewayIdentity;
  /** The channel named by payment.channelId, or undefined if the gateway knows no such channel. */
  readonly channel: ChannelView | undefined;
  readonly requiredConfirmations: number;
  /** The last balance accepted on this channel (0 if none yet), read under the per-channel lock. */
  readonly lastAcceptedBalance: bigint;
  /**
   * The channel's charged balance (docs/protocol.md section 7.2, metered prices): the sum of what was charged, at most
   * `lastAcceptedBalance`. The price is checked against it, not against the signed balance, so the part of a signed
   * ceiling a metered request did not use pays for the next request. Default `lastAcceptedBalance` (fixed prices).
   */
  readonly chargedBalance?: bigint;
  /** The price of this request (a metered route's ceiling). */
  readonly price: bigint;
  readonly backend?: Secp256k1Backend;
}

/** The verdict on one payment. */
export type PaymentDecision =
  | {
      readonly accepted: true;
      /** balance - lastAcceptedBalance: how far the signed balance moves (> 0). */
      readonly increment: bigint;
      /** balance - chargedBalance: what this proof authorises this request to be charged (>= price). */
      readonly authorised: bigint;
      readonly balance: bigint;
      /** The signature with v = 27/28: store this one, it is the form the contract accepts. */
      readonly signature: Hex;
    }
  | { readonly accepted: false; readonly error: ProtocolError };

function reject(code: ProtocolError['code'], details: ProtocolError['details'] = {}): PaymentDecision {
  return { accepted: false, error: new ProtocolError(code, details) };
}

/**
 * Decides whether a parsed payment pays for a request. Checks run in the order of docs/protocol.md:
 * first everything that needs only public facts (echoed domain, channel existence, parties, state,
 * confirmations, deposit), then the signature, and only then the balance against the receiver's
 * private last accepted balance — so an unauthenticated caller cannot probe that balance, and no
 * key is recovered for a payment that fails a cheap check.
 */
export function verifyPayment(input: VerifyPaymentInput): PaymentDecision {
  const { payment, gateway, channel } = input;
  const { domain } = gateway;

  if (payment.chainId !== undefined && payment.chainId !== domain.chainId) {
    return reject('WRONG_CHAIN', {
      expected: domain.chainId.toString(),
      received: payment.chainId.toString(),
    });
  }
  if (
    payment.channelManager !== undefined &&
    !sameAddress(payment.channelManager, domain.verifyingContract)
  ) {
    return reject('WRONG_CONTRACT', { expected: domain.verifyingContract, received: payment.channelManager });
  }
  if (payment.receiver !== undefined && !sameAddress(payment.receiver, gateway.receiver)) {
    return reject('WRONG_RECEIVER', { expected: gateway.receiver, received: payment.receiver });
  }
  if (channel === undefined) return reject('CHANNEL_NOT_FOUND', { channelId: payment.channelId });
  if (!sameAddress(channel.receiver, gateway.receiver)) {
    return reject('WRONG_RECEIVER', { expected: gateway.receiver, channelReceiver: channel.receiver });
  }
  if (!sameAddress(channel.sender, payment.sender)) {
    return reject('SENDER_MISMATCH', { channelSender: channel.sender, received: payment.sender });
  }
  if (channel.state === 'closing') return reject('CHANNEL_CLOSING', { channelId: payment.channelId });
  if (channel.confirmations < input.requiredConfirmations) {
    return reject('CHANNEL_INSUFFICIENT_CONFIRMATIONS', {
      confirmations: channel.confirmations,
      required: input.requiredConfirmations,
    });
  }
  if (payment.balance > channel.deposit && payment.balance <= (channel.unconfirmedDeposit ?? 0n)) {
    return reject('CHANNEL_INSUFFICIENT_CONFIRMATIONS', {
      reason: 'top-up not confirmed yet',
      deposit: channel.deposit.toString(),
    });
  }
  if (payment.balance > channel.deposit) {
    return reject('BALANCE_EXCEEDS_DEPOSIT', {
      balance: payment.balance.toString(),
      deposit: channel.deposit.toString(),
    });
  }

  const signature = verifyBalanceProofSignature(
    domain,
    { channelId: payment.channelId, receiver: gateway.receiver, balance: payment.balance },
    payment.signature,
    balanceSignersOf(channel),
    input.backend ?? defaultBackend,
  );
  if (!signature.ok) return reject('INVALID_SIGNATURE', { reason: signature.error });

  if (payment.balance <= input.lastAcceptedBalance) {
    return reject('BALANCE_STALE', {
      balance: payment.balance.toString(),
      lastAccepted: input.lastAcceptedBalance.toString(),
    });
  }
  const charged = input.chargedBalance ?? input.lastAcceptedBalance;
  const authorised = payment.balance - charged;
  if (authorised < input.price) {
    return reject('INCREMENT_BELOW_PRICE', {
      increment: authorised.toString(),
      price: input.price.toString(),
      lastAccepted: input.lastAcceptedBalance.toString(),
      // Only where it differs: a fixed-price channel's details stay what they were.
      ...(charged === input.lastAcceptedBalance ? {} : { chargedBalance: charged.toString() }),
    });
  }
  return {
    accepted: true,
    increment: payment.balance - input.lastAcceptedBalance,
    authorised,
    balance: payment.balance,
    signature: signature.value,
  };
}
