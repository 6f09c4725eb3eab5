// The x402 v2 wire of microraiden channels, scheme `microraiden-channel` (docs/protocol.md section 11). The zod
// schemas below are the one declaration of every x402 object: the wire types are their inputs, the parsed types
// their outputs, and every encoder builds a value of the input type, so a field cannot drift between the two.
import { z } from 'zod';
import { decodeBase64Json, encodeBase64Json } from './base64-json';
import type { Challenge } from './challenge-headers';
import { encodeChallenge } from './challenge-headers';
import { EIP712_DOMAIN_NAME, EIP712_DOMAIN_VERSION } from './eip712-domain';
import { readHeader, type EncodedHeaders, type HeaderSource } from './header-bag';
import {
  formatAmount,
  formatWith,
  MAX_UNIT_BYTES,
  parseAddressField,
  parseAmountField,
  parseChainIdField,
  parseChannelIdField,
  parseGatewayPathField,
  parsePriceField,
  parseSignatureField,
} from './header-fields';
import type { Address, Hex, Hex32 } from './hex';
import type { Payment } from './payment-headers';
import { invalidArgument, ProtocolError } from './protocol-error';
import type { Receipt } from './receipt-headers';
import { fail, ok, type Result } from './result';
import type { TokenUnits } from './token-units';

/** The x402 protocol version spoken. */
export const X402_VERSION = 2;
/** Our x402 scheme name; no published x402 scheme or proposal uses it (docs/protocol.md 11.1). */
export const X402_SCHEME = 'microraiden-channel';
/** x402 v2's challenge header (base64 of the PaymentRequired JSON). */
export const X402_PAYMENT_REQUIRED_HEADER = 'PAYMENT-REQUIRED';
/** x402 v2's payment header (base64 of the PaymentPayload JSON). */
export const X402_PAYMENT_SIGNATURE_HEADER = 'PAYMENT-SIGNATURE';
/** x402 v2's settlement header (base64 of the SettleResponse JSON). */
export const X402_PAYMENT_RESPONSE_HEADER = 'PAYMENT-RESPONSE';
/** Longest x402 header value parsed (they carry a URL and an echoed requirement, so more than an RDN header). */
export const MAX_X402_HEADER_LENGTH = 8192;
/** `PAYMENT-RESPONSE.errorReason` of a paid request that was not charged because the upstream failed. */
export const X402_NOT_CHARGED = 'NOT_CHARGED';

// A string field parsed by one of the RDN field parsers, so x402 and RDN-* accept exactly the same values.
function field<T>(parse: (text: string) => Result<T, string>) {
  return z.string().transform((text, ctx): T => {
    const parsed = parse(text);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: 'custom', message: parsed.error });
    return z.NEVER;
  });
}

const NETWORK = /^eip155:(.*)$/;
function parseNetwork(text: string): Result<bigint, string> {
  const match = NETWORK.exec(text);
  if (match === null) return fail('not eip155:<chain id>');
  return parseChainIdField(match[1] as string);
}
function formatNetwork(chainId: bigint): string {
  return `eip155:${chainId}`;
}

const address = field(parseAddressField);
const amount = field(parseAmountField);
const network = field(parseNetwork);
const resourceSchema = z.object({
  url: z.string().min(1),
  description: z.string().optional(),
  mimeType: z.string().optional(),
});

/** A balance proof: the scheme's payment payload, and the last accepted proof of a corrective 402. */
const balanceProofSchema = z.object({
  sender: address,
  channelId: field(parseChannelIdField),
  /** Cumulative. */
  balance: amount,
  signature: field(parseSignatureField),
});

/** What a corrective 402 tells a client that lost track of its channel (docs/protocol.md 11.4). */
const channelStateSchema = z.object({
  sender: address,
  channelId: field(parseChannelIdField),
  /** The balance the receiver committed last (RDN-Sender-Balance). */
  balance: amount,
  /** The sender's signature of `balance`, absent while it is 0: lets the client check the claim is its own. */
  signature: field(parseSignatureField).optional(),
});

/** One `accepts[]` entry of scheme `microraiden-channel`. */
const requirementsSchema = z.object({
  scheme: z.literal(X402_SCHEME),
  /** CAIP-2 `eip155:<chainId>`: the EIP-712 domain's chain id. */
  network,
  /** The price of this request in token base units. */
  amount: field(parsePriceField),
  /** The ERC-20 token channels escrow. */
  asset: address,
  /** The receiver: channels are opened to it, proofs name it. */
  payTo: address,
  maxTimeoutSeconds: z.number().int().min(0).max(86_400),
  extra: z.object({
    /** The channel manager: the EIP-712 `verifyingContract`. */
    channelManager: address,
    /** EIP-712 domain name and version, where x402's `exact` scheme puts its domain's. */
    name: z.literal(EIP712_DOMAIN_NAME),
    version: z.literal(EIP712_DOMAIN_VERSION),
    /** Prefix of the gateway's management API (close requests). */
    gatewayPath: field(parseGatewayPathField),
    /** The token's decimals and symbol, for people; sent when the gateway knows them. */
    decimals: z.number().int().min(0).max(77).optional(),
    symbol: z
      .string()
      .regex(/^[\x21-\x7e]{1,16}$/, 'not 1-16 printable ASCII characters')
      .optional(),
    /**
     * How the route is priced (docs/protocol.md 7.2, 7.3), absent for a fixed price: `metered` makes `amount` a ceiling
     * (the request is charged what it used, at least 1, at most `amount`), `stream` makes it one step of a stream
     * charged per unit delivered.
     */
    priceMode: z.enum(['metered', 'stream']).optional(),
    /** A streamed route's price per unit (`priceMode: "stream"` only; `amount` is one step). */
    unitPrice: field(parsePriceField).optional(),
    /** A byte-metered stream's unit in bytes (RDN-Unit-Bytes; `priceMode: "stream"` only; absent: one SSE event). */
    unitBytes: z.number().int().min(1).max(MAX_UNIT_BYTES).optional(),
    /** Only in a corrective 402: the channel's committed state. */
    channel: channelStateSchema.optional(),
  }),
});

const paymentRequiredSchema = z.object({
  x402Version: z.literal(X402_VERSION),
  error: z.string().optional(),
  // Required by x402 v2, but a client needs only the offer: a server that omits it is still understood.
  resource: resourceSchema.optional(),
  // Entries of other schemes are skipped, not errors: parsed one by one below.
  accepts: z.array(z.unknown()).min(1).max(32),
  extensions: z.record(z.string(), z.unknown()).optional(),
});

const paymentPayloadSchema = z.object({
  x402Version: z.literal(X402_VERSION),
  resource: resourceSchema.optional(),
  /** The requirement the client chose, as the gateway sent it. */
  accepted: requirementsSchema,
  payload: balanceProofSchema,
  extensions: z.record(z.string(), z.unknown()).optional(),
});

const settleResponseSchema = z.object({
  success: z.boolean(),
  /** A protocol error code (docs/protocol.md 8.1), or NOT_CHARGED. */
  errorReason: z.string().optional(),
  errorMessage: z.string().optional(),
  /** The channel's sender, once its signature verified. */
  payer: address.optional(),
  /** Always "": nothing is sent on chain per request. */
  transaction: z.literal(''),
  network,
  /** What this request was charged (base units). */
  amount: amount.optional(),
  /**
   * The receipt (docs/protocol.md 5.3) whenever the RDN-* answer carries one; `chargedBalance` only where
   * RDN-Charged-Balance is sent (it differs from senderBalance, 7.2).
   */
  extra: z
    .object({
      channelId: field(parseChannelIdField),
      senderBalance: amount,
      cost: amount,
      chargedBalance: amount.optional(),
    })
    .optional(),
});

/** x402 v2 ResourceInfo. */
export type X402Resource = z.input<typeof resourceSchema>;
/** One `accepts[]` entry of our scheme, as JSON on the wire. */
export type X402ChannelRequirements = z.input<typeof requirementsSchema>;
/** The channel state of a corrective 402, parsed. */
export type X402ChannelState = z.output<typeof channelStateSchema>;
/** x402 v2 PaymentRequired carrying our offer, as JSON on the wire. */
export type X402PaymentRequired = Omit<z.input<typeof paymentRequiredSchema>, 'accepts'> & {
  readonly accepts: readonly X402ChannelRequirements[];
};
/** x402 v2 PaymentPayload of our scheme, as JSON on the wire. */
export type X402PaymentPayload = z.input<typeof paymentPayloadSchema>;
/** x402 v2 SettleResponse as the gateway sends it, as JSON on the wire. */
export type X402SettleResponse = z.input<typeof settleResponseSchema>;
/** A parsed PAYMENT-RESPONSE. */
export type X402Settlement = z.output<typeof settleResponseSchema>;

/** The token as people read it, in the requirement's `extra` (the one declaration is {@link TokenUnits}). */
export type X402TokenInfo = TokenUnits;

/** Options of the x402 rendering of a challenge. */
export interface X402Options {
  readonly resource: X402Resource;
  readonly error?: string;
  /** How long the quoted price holds; x402 requires the field. Default 60. */
  readonly maxTimeoutSeconds?: number;
  readonly token?: X402TokenInfo;
  /** The channel's committed state, for a corrective 402 (only after the sender's signature verified). */
  readonly channel?: X402ChannelState;
}

function issueReason(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const where = issue.path.map(String).join('.');
  return where === '' ? issue.message : `${where}: ${issue.message}`;
}

function channelStateJson(state: X402ChannelState): z.input<typeof channelStateSchema> {
  return {
    sender: formatWith('channel.sender', state.sender, parseAddressField),
    channelId: formatWith('channel.channelId', state.channelId, parseChannelIdField),
    balance: formatAmount('channel.balance', state.balance),
    ...(state.signature === undefined
      ? {}
      : { signature: formatWith('channel.signature', state.signature, parseSignatureField) }),
  };
}

/** `extra.priceMode` (and `unitPrice`, `unitBytes`) of a route that is not fixed-price, from its challenge. */
function priceModeOf(challenge: Challenge): {
  priceMode?: 'metered' | 'stream';
  unitPrice?: string;
  unitBytes?: number;
} {
  const mode = challenge.priceMode;
  if (mode !== 'metered' && mode !== 'stream') return {};
  const { unitPrice, unitBytes } = challenge;
  return {
    priceMode: mode,
    ...(mode === 'stream' && unitPrice !== undefined ? { unitPrice: unitPrice.toString() } : {}),
    ...(mode === 'stream' && unitBytes !== undefined ? { unitBytes } : {}),
  };
}

/** Our `accepts[]` entry for a challenge; throws INVALID_ARGUMENT on bad input. */
export function x402Requirements(
  challenge: Challenge,
  options: Omit<X402Options, 'resource' | 'error'> = {},
): X402ChannelRequirements {
  const rdn = encodeChallenge(challenge); // validates every field once
  const maxTimeoutSeconds = options.maxTimeoutSeconds ?? 60;
  if (!Number.isSafeInteger(maxTimeoutSeconds) || maxTimeoutSeconds < 0 || maxTimeoutSeconds > 86_400) {
    invalidArgument('maxTimeoutSeconds', 'must be an integer in 0..86400');
  }
  const { token, channel } = options;
  if (token !== undefined && !requirementsSchema.shape.extra.shape.symbol.safeParse(token.symbol).success) {
    invalidArgument('token.symbol', 'must be 1-16 printable ASCII characters');
  }
  if (
    token !== undefined &&
    !requirementsSchema.shape.extra.shape.decimals.safeParse(token.decimals).success
  ) {
    invalidArgument('token.decimals', 'must be an integer in 0..77');
  }
  return {
    scheme: X402_SCHEME,
    network: `eip155:${rdn['RDN-Chain-Id']}`,
    amount: rdn['RDN-Price'] as string,
    asset: rdn['RDN-Token-Address'] as string,
    payTo: rdn['RDN-Receiver-Address'] as string,
    maxTimeoutSeconds,
    extra: {
      channelManager: rdn['RDN-Contract-Address'] as string,
      name: EIP712_DOMAIN_NAME,
      version: EIP712_DOMAIN_VERSION,
      gatewayPath: rdn['RDN-Gateway-Path'] as string,
      ...(token === undefined ? {} : { decimals: token.decimals, symbol: token.symbol }),
      ...priceModeOf(challenge),
      ...(channel === undefined ? {} : { channel: channelStateJson(channel) }),
    },
  };
}

/** The challenge as an x402 v2 PaymentRequired object; throws INVALID_ARGUMENT on bad input. */
export function x402PaymentRequired(challenge: Challenge, options: X402Options): X402PaymentRequired {
  if (typeof options.resource?.url !== 'string' || options.resource.url === '') {
    invalidArgument('resource.url', 'required');
  }
  const resource: X402Resource = {
    url: options.resource.url,
    ...(options.resource.description === undefined ? {} : { description: options.resource.description }),
    ...(options.resource.mimeType === undefined ? {} : { mimeType: options.resource.mimeType }),
  };
  return {
    x402Version: X402_VERSION,
    ...(options.error === undefined ? {} : { error: options.error }),
    resource,
    accepts: [x402Requirements(challenge, options)],
  };
}

/** The `PAYMENT-REQUIRED` header carrying the challenge, to send next to the RDN-* headers on a 402. */
export function encodeX402Headers(challenge: Challenge, options: X402Options): EncodedHeaders {
  return { [X402_PAYMENT_REQUIRED_HEADER]: encodeBase64Json(x402PaymentRequired(challenge, options)) };
}

/** What parseX402PaymentRequired recovers: the challenge and the x402 context around it. */
export interface ParsedX402Challenge {
  readonly challenge: Challenge;
  /** The entry as sent: what a client echoes as `accepted`. */
  readonly accepted: X402ChannelRequirements;
  readonly resource: X402Resource | undefined;
  readonly maxTimeoutSeconds: number;
  readonly error: string | undefined;
  readonly token: X402TokenInfo | undefined;
  /** Present in a corrective 402. */
  readonly channel: X402ChannelState | undefined;
}

/** Reads one `accepts[]` entry as our requirement; a reason when it is not one. Never throws. */
export function parseX402Requirements(
  entry: unknown,
): Result<Omit<ParsedX402Challenge, 'resource' | 'error'>, string> {
  const parsed = requirementsSchema.safeParse(entry);
  if (!parsed.success) return fail(issueReason(parsed.error));
  const { data } = parsed;
  const { extra } = data;
  return ok({
    challenge: {
      gatewayPath: extra.gatewayPath,
      receiver: data.payTo,
      channelManager: extra.channelManager,
      token: data.asset,
      price: data.amount,
      chainId: data.network,
      ...(extra.priceMode === undefined ? {} : { priceMode: extra.priceMode }),
      ...(extra.priceMode === 'stream' && extra.unitPrice !== undefined
        ? { unitPrice: extra.unitPrice }
        : {}),
      ...(extra.priceMode === 'stream' && extra.unitBytes !== undefined
        ? { unitBytes: extra.unitBytes }
        : {}),
    },
    accepted: entry as X402ChannelRequirements,
    maxTimeoutSeconds: data.maxTimeoutSeconds,
    token:
      extra.symbol === undefined || extra.decimals === undefined
        ? undefined
        : { symbol: extra.symbol, decimals: extra.decimals },
    channel: extra.channel,
  });
}

function readX402Header(
  headers: HeaderSource,
  name: string,
  code: 'PAYMENT_MALFORMED' | 'RESPONSE_MALFORMED',
): Result<unknown | undefined> {
  const bad = (reason: string) => fail(new ProtocolError(code, { header: name, reason }));
  const raw = readHeader(headers, name, MAX_X402_HEADER_LENGTH);
  if (!raw.ok) return bad(raw.error);
  if (raw.value === undefined) return ok(undefined);
  if (raw.value === '') return bad('empty');
  const json = decodeBase64Json(raw.value);
  return json.ok ? ok(json.value) : bad(json.error);
}

/**
 * Reads the PAYMENT-REQUIRED header and returns its first valid `microraiden-channel` offer;
 * RESPONSE_MALFORMED when the header is absent, not base64 JSON, not x402 v2, or has no such offer. Never throws.
 */
export function parseX402PaymentRequired(headers: HeaderSource): Result<ParsedX402Challenge> {
  const malformed = (reason: string) =>
    fail(new ProtocolError('RESPONSE_MALFORMED', { header: X402_PAYMENT_REQUIRED_HEADER, reason }));
  const json = readX402Header(headers, X402_PAYMENT_REQUIRED_HEADER, 'RESPONSE_MALFORMED');
  if (!json.ok) return json;
  if (json.value === undefined) return malformed('missing');
  const shape = paymentRequiredSchema.safeParse(json.value);
  if (!shape.success) return malformed('not an x402 v2 PaymentRequired');
  for (const entry of shape.data.accepts) {
    const offer = parseX402Requirements(entry);
    if (offer.ok) return ok({ ...offer.value, resource: shape.data.resource, error: shape.data.error });
  }
  return malformed(`no valid ${X402_SCHEME} offer`);
}

/** A balance proof as the scheme's payload carries it. */
export interface X402BalanceProof {
  readonly sender: Address;
  readonly channelId: Hex32;
  readonly balance: bigint;
  readonly signature: Hex;
}

/** The PaymentPayload paying `accepted` with `proof`; throws INVALID_ARGUMENT on bad input. */
export function x402PaymentPayload(
  accepted: X402ChannelRequirements,
  proof: X402BalanceProof,
  resource?: X402Resource,
): X402PaymentPayload {
  const valid = requirementsSchema.safeParse(accepted);
  if (!valid.success) invalidArgument('accepted', issueReason(valid.error));
  return {
    x402Version: X402_VERSION,
    ...(resource === undefined ? {} : { resource }),
    accepted,
    payload: {
      sender: formatWith('sender', proof.sender, parseAddressField),
      channelId: formatWith('channelId', proof.channelId, parseChannelIdField),
      balance: formatAmount('balance', proof.balance),
      signature: formatWith('signature', proof.signature, parseSignatureField),
    },
  };
}

/** The `PAYMENT-SIGNATURE` header paying `accepted` with `proof`. */
export function encodeX402Payment(
  accepted: X402ChannelRequirements,
  proof: X402BalanceProof,
  resource?: X402Resource,
): EncodedHeaders {
  return { [X402_PAYMENT_SIGNATURE_HEADER]: encodeBase64Json(x402PaymentPayload(accepted, proof, resource)) };
}

/**
 * A decoded PaymentPayload as the Payment the RDN-* headers would carry: the proof from `payload`, the echoes
 * (receiver, contract, chain) from `accepted`, so verification cannot tell the two wires apart.
 * PAYMENT_MALFORMED (details.header PAYMENT-SIGNATURE, details.reason naming the field) when it is not one. Never
 * throws.
 */
export function paymentOfX402Payload(json: unknown): Result<Payment> {
  const parsed = paymentPayloadSchema.safeParse(json);
  if (!parsed.success) {
    return fail(
      new ProtocolError('PAYMENT_MALFORMED', {
        header: X402_PAYMENT_SIGNATURE_HEADER,
        reason: issueReason(parsed.error),
      }),
    );
  }
  const { accepted, payload } = parsed.data;
  return ok({
    sender: payload.sender,
    channelId: payload.channelId,
    balance: payload.balance,
    signature: payload.signature,
    receiver: accepted.payTo,
    channelManager: accepted.extra.channelManager,
    chainId: accepted.network,
  });
}

/** Reads PAYMENT-SIGNATURE: `undefined` when absent, else the payment or PAYMENT_MALFORMED. Never throws. */
export function parseX402Payment(headers: HeaderSource): Result<Payment | undefined> {
  const json = readX402Header(headers, X402_PAYMENT_SIGNATURE_HEADER, 'PAYMENT_MALFORMED');
  if (!json.ok || json.value === undefined) return json as Result<undefined>;
  return paymentOfX402Payload(json.value);
}

/** The outcome of a request paid with PAYMENT-SIGNATURE, for PAYMENT-RESPONSE. */
export type X402Outcome =
  /** Charged (cost > 0) or delivered without a charge (upstream failed: cost 0, NOT_CHARGED). */
  | { readonly kind: 'receipt'; readonly receipt: Receipt; readonly payer: Address }
  /** Refused; `payer` only once the sender's signature verified. */
  | {
      readonly kind: 'refused';
      readonly code: string;
      readonly message: string;
      readonly payer?: Address;
      readonly receipt?: Receipt;
    };

/** The SettleResponse for an outcome on chain `chainId`; throws INVALID_ARGUMENT on bad input. */
export function x402SettleResponse(chainId: bigint, outcome: X402Outcome): X402SettleResponse {
  const receipt = outcome.receipt;
  const extra =
    receipt === undefined
      ? {}
      : {
          extra: {
            channelId: formatWith('receipt.channelId', receipt.channelId, parseChannelIdField),
            senderBalance: formatAmount('receipt.senderBalance', receipt.senderBalance),
            cost: formatAmount('receipt.cost', receipt.cost),
            ...(receipt.chargedBalance === undefined || receipt.chargedBalance === receipt.senderBalance
              ? {}
              : { chargedBalance: formatAmount('receipt.chargedBalance', receipt.chargedBalance) }),
          },
        };
  const payer =
    outcome.payer === undefined ? {} : { payer: formatWith('payer', outcome.payer, parseAddressField) };
  const base = { transaction: '' as const, network: formatNetwork(chainId) };
  if (outcome.kind === 'refused') {
    return {
      success: false,
      errorReason: outcome.code,
      errorMessage: outcome.message,
      ...payer,
      ...base,
      ...extra,
    };
  }
  const charged = outcome.receipt.cost > 0n;
  return {
    success: charged,
    ...(charged ? {} : { errorReason: X402_NOT_CHARGED }),
    ...payer,
    ...base,
    amount: formatAmount('receipt.cost', outcome.receipt.cost),
    ...extra,
  };
}

/** The `PAYMENT-RESPONSE` header for an outcome. */
export function encodeX402Response(chainId: bigint, outcome: X402Outcome): EncodedHeaders {
  return { [X402_PAYMENT_RESPONSE_HEADER]: encodeBase64Json(x402SettleResponse(chainId, outcome)) };
}

/** Reads PAYMENT-RESPONSE: `undefined` when absent, RESPONSE_MALFORMED when it does not parse. Never throws. */
export function parseX402Response(headers: HeaderSource): Result<X402Settlement | undefined> {
  const json = readX402Header(headers, X402_PAYMENT_RESPONSE_HEADER, 'RESPONSE_MALFORMED');
  if (!json.ok || json.value === undefined) return json as Result<undefined>;
  const parsed = settleResponseSchema.safeParse(json.value);
  if (parsed.success) return ok(parsed.data);
  return fail(
    new ProtocolError('RESPONSE_MALFORMED', {
      header: X402_PAYMENT_RESPONSE_HEADER,
      reason: issueReason(parsed.error),
    }),
  );
}

/**
 * The HTTP status of a refusal of a payment made with PAYMENT-SIGNATURE: the code's own, except BALANCE_STALE,
 * which is 402 instead of 409 because x402 clients act on 402 only (docs/protocol.md 11.5).
 */
export function x402Status(error: ProtocolError): number {
  return error.code === 'BALANCE_STALE' ? 402 : error.httpStatus;
}
