import { z } from 'zod';
import { sameAddress } from './address';
import type { ClosingProof } from './closing-proof';
import {
  formatAmount,
  formatWith,
  parseAddressField,
  parseAmountField,
  parseChannelIdField,
  parseGatewayPathField,
  parseSignatureField,
} from './header-fields';
import type { Address, Hex, Hex32 } from './hex';
import { ProtocolError, type ProtocolErrorCode } from './protocol-error';
import { verifyBalanceProofSignature } from './recover-signer';
import { fail, ok, type Result } from './result';
import { defaultBackend, type Secp256k1Backend } from './secp256k1-backend';
import { balanceSignersOf, type ChannelView, type GatewayIdentity } from './verify-payment';

/** The close route under the gateway path: DELETE {gatewayPath}/channels/{sender}/{channelId}. */
export const CLOSE_ROUTE = '/channels/:sender/:channelId';

/** A sender's request for the receiver's ClosingProof signature. */
export interface CloseRequest {
  readonly sender: Address;
  readonly channelId: Hex32;
  /** Must equal the channel's charged balance (the last accepted balance on a channel of fixed prices only). */
  readonly balance: bigint;
  /**
   * The sender's BalanceProof signature for `balance`. Proves the caller holds the sender's proof, so a
   * stranger who learns a channel id cannot make the gateway stop serving it.
   */
  readonly balanceSignature: Hex;
}

/** The receiver's answer: everything cooperativeClose needs besides the sender's own signature. */
export interface CloseResponse {
  readonly channelId: Hex32;
  readonly sender: Address;
  readonly receiver: Address;
  readonly balance: bigint;
  readonly closingSignature: Hex;
}

/** The path of the close request for a channel; throws INVALID_ARGUMENT on malformed parts. */
export function closeRequestPath(gatewayPath: string, sender: Address, channelId: Hex32): string {
  const base = formatWith('gatewayPath', gatewayPath, parseGatewayPathField).replace(/\/+$/, '');
  const who = formatWith('sender', sender, parseAddressField);
  const id = formatWith('channelId', channelId, parseChannelIdField);
  return `${base}/channels/${who}/${id}`;
}

/** The request body (JSON) or query parameters of a close request. */
export function encodeCloseRequestBody(request: Pick<CloseRequest, 'balance' | 'balanceSignature'>): {
  balance: string;
  balanceSignature: string;
} {
  return {
    balance: formatAmount('balance', request.balance),
    balanceSignature: formatWith('balanceSignature', request.balanceSignature, parseSignatureField),
  };
}

function field<T>(
  code: ProtocolErrorCode,
  name: string,
  value: unknown,
  parse: (text: string) => Result<T, string>,
): Result<T> {
  if (value === undefined || value === null || value === '') {
    return fail(new ProtocolError(code, { field: name, reason: 'missing' }));
  }
  if (typeof value !== 'string' || value.length > 256) {
    return fail(new ProtocolError(code, { field: name, reason: 'not a short string' }));
  }
  const parsed = parse(value);
  return parsed.ok ? parsed : fail(new ProtocolError(code, { field: name, reason: parsed.error }));
}

/**
 * Validates a close request from path parameters plus body or query (`balance`, `balanceSignature`);
 * PAYMENT_MALFORMED with details.field on any bad part. Never throws.
 */
export function parseCloseRequest(input: {
  sender?: unknown;
  channelId?: unknown;
  balance?: unknown;
  balanceSignature?: unknown;
}): Result<CloseRequest> {
  const code = 'PAYMENT_MALFORMED';
  const source = typeof input === 'object' && input !== null ? input : {};
  const sender = field(code, 'sender', source.sender, parseAddressField);
  if (!sender.ok) return sender;
  const channelId = field(code, 'channelId', source.channelId, parseChannelIdField);
  if (!channelId.ok) return channelId;
  const balance = field(code, 'balance', source.balance, parseAmountField);
  if (!balance.ok) return balance;
  const balanceSignature = field(code, 'balanceSignature', source.balanceSignature, parseSignatureField);
  if (!balanceSignature.ok) return balanceSignature;
  return ok({
    sender: sender.value,
    channelId: channelId.value,
    balance: balance.value,
    balanceSignature: balanceSignature.value,
  });
}

/** Inputs of decideClose; like verifyPayment it does no I/O. */
export interface CloseDecisionInput {
  readonly request: CloseRequest;
  readonly gateway: GatewayIdentity;
  readonly channel: ChannelView | undefined;
  readonly lastAcceptedBalance: bigint;
  /**
   * The channel's charged balance (docs/protocol.md 7.2): what a close must be for, so a metered channel closes at
   * what was charged, not at the ceilings signed. Default `lastAcceptedBalance`.
   */
  readonly chargedBalance?: bigint;
  readonly backend?: Secp256k1Backend;
}

/** Approve with the ClosingProof to sign, or refuse with a protocol error. */
export type CloseDecision =
  | { readonly approved: true; readonly proof: ClosingProof }
  | { readonly approved: false; readonly error: ProtocolError };

/**
 * Decides whether the receiver signs a ClosingProof. It does only for the channel's charged balance (the balance
 * it last accepted, on a channel of fixed prices), proven by the sender's own signature (or its balance signer's); a channel already closing may be closed cooperatively too.
 * After approving, the gateway must refuse further payments on the channel (treat it as closing),
 * or the sender could close at this balance after consuming more.
 */
export function decideClose(input: CloseDecisionInput): CloseDecision {
  const { request, gateway, channel } = input;
  const refuse = (code: ProtocolErrorCode, details: ProtocolError['details'] = {}): CloseDecision => ({
    approved: false,
    error: new ProtocolError(code, details),
  });
  if (channel === undefined) return refuse('CHANNEL_NOT_FOUND', { channelId: request.channelId });
  if (!sameAddress(channel.receiver, gateway.receiver)) return refuse('WRONG_RECEIVER');
  if (!sameAddress(channel.sender, request.sender)) return refuse('SENDER_MISMATCH');
  const signature = verifyBalanceProofSignature(
    gateway.domain,
    { channelId: request.channelId, receiver: gateway.receiver, balance: request.balance },
    request.balanceSignature,
    balanceSignersOf(channel),
    input.backend ?? defaultBackend,
  );
  if (!signature.ok) return refuse('INVALID_SIGNATURE', { reason: signature.error });
  const expected = input.chargedBalance ?? input.lastAcceptedBalance;
  // Said only after the sender's signature verified, like every private balance (docs/protocol.md 5.3).
  if (request.balance !== expected)
    return refuse('CLOSE_BALANCE_MISMATCH', { expected: expected.toString() });
  return {
    approved: true,
    proof: { channelId: request.channelId, sender: channel.sender, balance: request.balance },
  };
}

/** The JSON body of a 200 answer to a close request. */
export function encodeCloseResponse(response: CloseResponse): Record<keyof CloseResponse, string> {
  return {
    channelId: formatWith('channelId', response.channelId, parseChannelIdField),
    sender: formatWith('sender', response.sender, parseAddressField),
    receiver: formatWith('receiver', response.receiver, parseAddressField),
    balance: formatAmount('balance', response.balance),
    closingSignature: formatWith('closingSignature', response.closingSignature, parseSignatureField),
  };
}

const closeResponseShape = z.object({
  channelId: z.string().max(256),
  sender: z.string().max(256),
  receiver: z.string().max(256),
  balance: z.string().max(256),
  closingSignature: z.string().max(256),
});

/** Reads a gateway's close answer; RESPONSE_MALFORMED on any bad field. Never throws. */
export function parseCloseResponse(json: unknown): Result<CloseResponse> {
  const code = 'RESPONSE_MALFORMED';
  const shape = closeResponseShape.safeParse(json);
  if (!shape.success) {
    return fail(
      new ProtocolError(code, { field: shape.error.issues[0]?.path.join('.') ?? '', reason: 'bad shape' }),
    );
  }
  const body = shape.data;
  const channelId = field(code, 'channelId', body.channelId, parseChannelIdField);
  if (!channelId.ok) return channelId;
  const sender = field(code, 'sender', body.sender, parseAddressField);
  if (!sender.ok) return sender;
  const receiver = field(code, 'receiver', body.receiver, parseAddressField);
  if (!receiver.ok) return receiver;
  const balance = field(code, 'balance', body.balance, parseAmountField);
  if (!balance.ok) return balance;
  const closingSignature = field(code, 'closingSignature', body.closingSignature, parseSignatureField);
  if (!closingSignature.ok) return closingSignature;
  return ok({
    channelId: channelId.value,
    sender: sender.value,
    receiver: receiver.value,
    balance: balance.value,
    closingSignature: closingSignature.value,
  });
}
