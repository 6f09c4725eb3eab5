import { readHeader, type EncodedHeaders, type HeaderSource } from './header-bag';
import {
  formatAmount,
  formatWith,
  parseAddressField,
  parseAmountField,
  parseChainIdField,
  parseChannelIdField,
  parseSignatureField,
} from './header-fields';
import { RDN_HEADERS } from './header-names';
import { readOptionalField, readRequiredField } from './header-reader';
import type { Address, Hex, Hex32 } from './hex';
import { invalidArgument, ProtocolError } from './protocol-error';
import { fail, ok, type Result } from './result';
import { parseSignature } from './signature';

/** A client's payment for one request: a signed BalanceProof plus the claimed channel sender. */
export interface Payment {
  readonly sender: Address;
  readonly channelId: Hex32;
  /** Cumulative balance (not the increment). */
  readonly balance: bigint;
  /** 0x + 130 hex, lowercase; v and s are not judged until verifyPayment. */
  readonly signature: Hex;
  /**
   * Optional echo of what the client signed for. When present the gateway can say WRONG_RECEIVER /
   * WRONG_CONTRACT / WRONG_CHAIN instead of a bare INVALID_SIGNATURE, without recovering a key.
   */
  readonly receiver?: Address;
  readonly channelManager?: Address;
  readonly chainId?: bigint;
}

/** µRaiden 0.2's channel key header; recognised only to explain why it no longer works. */
export const URAIDEN_OPEN_BLOCK_HEADER = 'RDN-Open-Block';

const REQUIRED = [
  RDN_HEADERS.sender,
  RDN_HEADERS.channelId,
  RDN_HEADERS.balance,
  RDN_HEADERS.balanceSignature,
] as const;

// Sends v = 27/28 whatever the signer produced, and refuses what every gateway would refuse (high s).
function canonicalSignature(signature: string): Hex {
  const parsed = typeof signature === 'string' ? parseSignature(signature) : fail('not a string');
  if (!parsed.ok) invalidArgument('signature', parsed.error);
  return parsed.value.canonical;
}

/**
 * The payment as RDN-* request headers, signature normalised to v = 27/28; throws INVALID_ARGUMENT for
 * values parsePayment would refuse and for malleable signatures.
 */
export function encodePayment(payment: Payment): EncodedHeaders {
  const headers: EncodedHeaders = {
    [RDN_HEADERS.sender]: formatWith('sender', payment.sender, parseAddressField),
    [RDN_HEADERS.channelId]: formatWith('channelId', payment.channelId, parseChannelIdField),
    [RDN_HEADERS.balance]: formatAmount('balance', payment.balance),
    [RDN_HEADERS.balanceSignature]: canonicalSignature(payment.signature),
  };
  if (payment.receiver !== undefined) {
    headers[RDN_HEADERS.receiver] = formatWith('receiver', payment.receiver, parseAddressField);
  }
  if (payment.channelManager !== undefined) {
    headers[RDN_HEADERS.contract] = formatWith('channelManager', payment.channelManager, parseAddressField);
  }
  if (payment.chainId !== undefined) {
    const text = typeof payment.chainId === 'bigint' ? payment.chainId.toString(10) : '';
    headers[RDN_HEADERS.chainId] = formatWith('chainId', text, parseChainIdField).toString(10);
  }
  return headers;
}

function isPresent(headers: unknown, name: string): boolean {
  const read = readHeader(headers, name);
  return !read.ok || read.value !== undefined;
}

/**
 * Reads a request's payment headers. None of the four required ones present: PAYMENT_REQUIRED (the
 * client did not try to pay). Otherwise any missing or malformed header: PAYMENT_MALFORMED with
 * `details.header` and `details.reason`, the first problem in the order of the spec. Never throws.
 */
export function parsePayment(headers: HeaderSource): Result<Payment> {
  if (!REQUIRED.some((name) => isPresent(headers, name))) {
    return fail(new ProtocolError('PAYMENT_REQUIRED'));
  }
  const code = 'PAYMENT_MALFORMED';
  const sender = readRequiredField(headers, RDN_HEADERS.sender, parseAddressField, code);
  if (!sender.ok) return sender;
  if (!isPresent(headers, RDN_HEADERS.channelId) && isPresent(headers, URAIDEN_OPEN_BLOCK_HEADER)) {
    return fail(
      new ProtocolError(code, {
        header: RDN_HEADERS.channelId,
        reason: 'missing; RDN-Open-Block is µRaiden 0.2 and is replaced by RDN-Channel-Id',
      }),
    );
  }
  const channelId = readRequiredField(headers, RDN_HEADERS.channelId, parseChannelIdField, code);
  if (!channelId.ok) return channelId;
  const balance = readRequiredField(headers, RDN_HEADERS.balance, parseAmountField, code);
  if (!balance.ok) return balance;
  const signature = readRequiredField(headers, RDN_HEADERS.balanceSignature, parseSignatureField, code);
  if (!signature.ok) return signature;
  const receiver = readOptionalField(headers, RDN_HEADERS.receiver, parseAddressField, code);
  if (!receiver.ok) return receiver;
  const channelManager = readOptionalField(headers, RDN_HEADERS.contract, parseAddressField, code);
  if (!channelManager.ok) return channelManager;
  const chainId = readOptionalField(headers, RDN_HEADERS.chainId, parseChainIdField, code);
  if (!chainId.ok) return chainId;

  const payment: { -readonly [K in keyof Payment]: Payment[K] } = {
    sender: sender.value,
    channelId: channelId.value,
    balance: balance.value,
    signature: signature.value,
  };
  if (receiver.value !== undefined) payment.receiver = receiver.value;
  if (channelManager.value !== undefined) payment.channelManager = channelManager.value;
  if (chainId.value !== undefined) payment.chainId = chainId.value;
  return ok(payment);
}
