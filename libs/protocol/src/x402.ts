import { z } from 'zod';
import { EIP712_DOMAIN_NAME, EIP712_DOMAIN_VERSION } from './eip712-domain';
import type { Challenge } from './challenge-headers';
import { encodeChallenge } from './challenge-headers';
import { readHeader, type EncodedHeaders, type HeaderSource } from './header-bag';
import {
  parseAddressField,
  parseChainIdField,
  parseGatewayPathField,
  parsePriceField,
} from './header-fields';
import type { Address } from './hex';
import { invalidArgument, ProtocolError } from './protocol-error';
import { fail, ok, type Result } from './result';

/** x402 v2's challenge header (base64 of the PaymentRequired JSON). */
export const X402_PAYMENT_REQUIRED_HEADER = 'PAYMENT-REQUIRED';
/** The x402 protocol version rendered. */
export const X402_VERSION = 2;
/** The x402 scheme name under which a channel challenge is offered. */
export const X402_CHANNEL_SCHEME = 'channel';
/** Largest PAYMENT-REQUIRED value parsed (it carries a URL and a description, so more than an RDN header). */
export const MAX_X402_HEADER_LENGTH = 8192;

/** x402 v2 ResourceInfo. */
export interface X402Resource {
  readonly url: string;
  readonly description?: string;
  readonly mimeType?: string;
}

/** One x402 v2 PaymentRequirements entry describing a microraiden channel challenge. */
export interface X402ChannelRequirements {
  readonly scheme: typeof X402_CHANNEL_SCHEME;
  /** CAIP-2, `eip155:<chainId>`. */
  readonly network: string;
  /** The price per request in token base units. */
  readonly amount: string;
  /** The ERC-20 token. */
  readonly asset: Address;
  /** The receiver. */
  readonly payTo: Address;
  readonly maxTimeoutSeconds: number;
  readonly extra: {
    readonly channelManager: Address;
    readonly gatewayPath: string;
    /** EIP-712 domain name and version, as x402's exact scheme puts them in `extra`. */
    readonly name: typeof EIP712_DOMAIN_NAME;
    readonly version: typeof EIP712_DOMAIN_VERSION;
  };
}

/** x402 v2 PaymentRequired with our channel offer. */
export interface X402PaymentRequired {
  readonly x402Version: typeof X402_VERSION;
  readonly error?: string;
  readonly resource: X402Resource;
  readonly accepts: readonly X402ChannelRequirements[];
}

/** Options of the x402 rendering. */
export interface X402Options {
  readonly resource: X402Resource;
  readonly error?: string;
  /** How long the quoted price holds; x402 requires the field. Default 60. */
  readonly maxTimeoutSeconds?: number;
}

/** The challenge as an x402 v2 PaymentRequired object; throws INVALID_ARGUMENT on bad input. */
export function x402PaymentRequired(challenge: Challenge, options: X402Options): X402PaymentRequired {
  const rdn = encodeChallenge(challenge); // validates every field once
  const maxTimeoutSeconds = options.maxTimeoutSeconds ?? 60;
  if (!Number.isSafeInteger(maxTimeoutSeconds) || maxTimeoutSeconds < 0) {
    invalidArgument('maxTimeoutSeconds', 'must be an integer >= 0');
  }
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
    accepts: [
      {
        scheme: X402_CHANNEL_SCHEME,
        network: `eip155:${rdn['RDN-Chain-Id']}`,
        amount: rdn['RDN-Price'] as string,
        asset: rdn['RDN-Token-Address'] as Address,
        payTo: rdn['RDN-Receiver-Address'] as Address,
        maxTimeoutSeconds,
        extra: {
          channelManager: rdn['RDN-Contract-Address'] as Address,
          gatewayPath: rdn['RDN-Gateway-Path'] as string,
          name: EIP712_DOMAIN_NAME,
          version: EIP712_DOMAIN_VERSION,
        },
      },
    ],
  };
}

function base64Encode(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number);
  return btoa(binary);
}

function base64Decode(text: string): string | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** The `PAYMENT-REQUIRED` header carrying the challenge, to send next to the RDN-* headers on a 402. */
export function encodeX402Headers(challenge: Challenge, options: X402Options): EncodedHeaders {
  return {
    [X402_PAYMENT_REQUIRED_HEADER]: base64Encode(JSON.stringify(x402PaymentRequired(challenge, options))),
  };
}

const requirementsShape = z.object({
  scheme: z.string(),
  network: z.string(),
  amount: z.string(),
  asset: z.string(),
  payTo: z.string(),
  maxTimeoutSeconds: z.number().int().nonnegative().optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
});
const paymentRequiredShape = z.object({
  x402Version: z.literal(X402_VERSION),
  error: z.string().optional(),
  resource: z
    .object({ url: z.string(), description: z.string().optional(), mimeType: z.string().optional() })
    .optional(),
  accepts: z.array(z.unknown()).min(1).max(32),
});

const NETWORK = /^eip155:([0-9]{1,20})$/;

/** What parseX402PaymentRequired recovers: the challenge and the x402 context around it. */
export interface ParsedX402Challenge {
  readonly challenge: Challenge;
  readonly resource: X402Resource | undefined;
  readonly maxTimeoutSeconds: number | undefined;
  readonly error: string | undefined;
}

function malformed(reason: string): Result<never> {
  return fail(new ProtocolError('RESPONSE_MALFORMED', { header: X402_PAYMENT_REQUIRED_HEADER, reason }));
}

// The first `channel` offer that parses wins; offers of other schemes are skipped, not errors.
function channelOffer(
  entry: unknown,
): { challenge: Challenge; maxTimeoutSeconds: number | undefined } | undefined {
  const req = requirementsShape.safeParse(entry);
  if (!req.success || req.data.scheme !== X402_CHANNEL_SCHEME) return undefined;
  const network = NETWORK.exec(req.data.network);
  const chainId = network === null ? undefined : parseChainIdField(network[1] as string);
  const price = parsePriceField(req.data.amount);
  const token = parseAddressField(req.data.asset);
  const receiver = parseAddressField(req.data.payTo);
  const extra = req.data.extra ?? {};
  const manager =
    typeof extra.channelManager === 'string' ? parseAddressField(extra.channelManager) : undefined;
  const path = typeof extra.gatewayPath === 'string' ? parseGatewayPathField(extra.gatewayPath) : undefined;
  if (!chainId?.ok || !price.ok || !token.ok || !receiver.ok || !manager?.ok || !path?.ok) return undefined;
  const challenge: Challenge = {
    gatewayPath: path.value,
    receiver: receiver.value,
    channelManager: manager.value,
    token: token.value,
    price: price.value,
    chainId: chainId.value,
  };
  return { challenge, maxTimeoutSeconds: req.data.maxTimeoutSeconds };
}

/**
 * Reads the PAYMENT-REQUIRED header and returns its first valid `channel` offer as a Challenge;
 * RESPONSE_MALFORMED when the header is absent, not base64 JSON, not x402 v2, or has no channel offer.
 */
export function parseX402PaymentRequired(headers: HeaderSource): Result<ParsedX402Challenge> {
  const raw = readHeader(headers, X402_PAYMENT_REQUIRED_HEADER, MAX_X402_HEADER_LENGTH);
  if (!raw.ok) return malformed(raw.error);
  if (raw.value === undefined || raw.value === '') return malformed('missing');
  const text = base64Decode(raw.value);
  if (text === undefined) return malformed('not base64 of UTF-8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return malformed('not JSON');
  }
  const shape = paymentRequiredShape.safeParse(json);
  if (!shape.success) return malformed('not an x402 v2 PaymentRequired');
  for (const entry of shape.data.accepts) {
    const offer = channelOffer(entry);
    if (offer === undefined) continue;
    return ok({ ...offer, resource: shape.data.resource, error: shape.data.error });
  }
  return malformed('no valid channel offer');
}
