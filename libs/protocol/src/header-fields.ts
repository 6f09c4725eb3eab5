import { parseAddress } from './address';
import { bytesToHex, hexToBytes, type Address, type Hex, type Hex32 } from './hex';
import { invalidArgument } from './protocol-error';
import { fail, ok, type Result } from './result';
import { CHAIN_ID_MAX, isUint256, parseDecimal } from './uint256';

/** Longest gateway path accepted in RDN-Gateway-Path. */
export const MAX_GATEWAY_PATH_LENGTH = 256;

// An absolute path of RFC 3986 pchars (percent-escapes allowed), no query or fragment.
const GATEWAY_PATH = /^\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;

/** Token base units: canonical base-10 in 0..2^256-1. */
export function parseAmountField(text: string): Result<bigint, string> {
  return parseDecimal(text);
}

/** A price: like an amount but at least 1, since a zero price makes no challenge. */
export function parsePriceField(text: string): Result<bigint, string> {
  const parsed = parseDecimal(text);
  if (parsed.ok && parsed.value === 0n) return fail('zero');
  return parsed;
}

/** The largest byte unit a streamed route may declare (RDN-Unit-Bytes, docs/protocol.md 7.3): 16 MiB. */
export const MAX_UNIT_BYTES = 16 * 1024 * 1024;

/** RDN-Unit-Bytes: a byte-metered stream's unit, an integer 1..MAX_UNIT_BYTES. */
export function parseUnitBytesField(text: string): Result<number, string> {
  const parsed = parseDecimal(text);
  if (!parsed.ok) return parsed;
  if (parsed.value < 1n || parsed.value > BigInt(MAX_UNIT_BYTES)) return fail(`not in 1..${MAX_UNIT_BYTES}`);
  return ok(Number(parsed.value));
}

/** How a route is priced (docs/protocol.md 7.2): RDN-Price-Mode; absent means `fixed`. */
export type PriceMode = 'fixed' | 'metered' | 'stream';

const PRICE_MODES: ReadonlySet<string> = new Set<PriceMode>(['fixed', 'metered', 'stream']);

/** RDN-Price-Mode: one of the known modes (a client must not pay on terms it does not understand). */
export function parsePriceModeField(text: string): Result<PriceMode, string> {
  return PRICE_MODES.has(text) ? ok(text as PriceMode) : fail('not fixed, metered or stream');
}

/** An EIP-155 chain id: canonical base-10 in 1..2^53-1. */
export function parseChainIdField(text: string): Result<bigint, string> {
  const parsed = parseDecimal(text, CHAIN_ID_MAX);
  if (parsed.ok && parsed.value === 0n) return fail('zero');
  return parsed;
}

/** An address in any accepted spelling, returned checksummed. */
export function parseAddressField(text: string): Result<Address, string> {
  return parseAddress(text);
}

// Already-canonical spellings (what encodePayment sends) are returned as they are, skipping a decode and
// re-encode per request; any other text takes the decoding path, so what is accepted does not change.
const LOWER_HEX_32 = /^0x[0-9a-f]{64}$/;
const LOWER_HEX_65 = /^0x[0-9a-f]{130}$/;

/** A channel id: 0x + 64 hex, returned lowercase. */
export function parseChannelIdField(text: string): Result<Hex32, string> {
  if (LOWER_HEX_32.test(text)) return ok(text as Hex32);
  const bytes = hexToBytes(text, 32);
  return bytes === undefined ? fail('not 0x followed by 64 hex digits') : ok(bytesToHex(bytes));
}

/**
 * A signature's syntax only: 0x + 130 hex, returned lowercase. Its v and s are judged later by
 * parseSignature, so a well-formed but invalid signature is INVALID_SIGNATURE, not PAYMENT_MALFORMED.
 */
export function parseSignatureField(text: string): Result<Hex, string> {
  if (LOWER_HEX_65.test(text)) return ok(text as Hex);
  const bytes = hexToBytes(text, 65);
  return bytes === undefined ? fail('not 0x followed by 130 hex digits') : ok(bytesToHex(bytes));
}

/** The gateway's management API prefix, e.g. `/api/1`. */
export function parseGatewayPathField(text: string): Result<string, string> {
  if (text.length > MAX_GATEWAY_PATH_LENGTH) return fail('too long');
  if (!GATEWAY_PATH.test(text)) return fail('not an absolute URL path');
  return ok(text);
}

/** Formats a uint256 amount for a header; throws INVALID_ARGUMENT outside 0..2^256-1. */
export function formatAmount(field: string, value: bigint): string {
  if (!isUint256(value)) invalidArgument(field, 'must be a bigint in 0..2^256-1');
  return value.toString(10);
}

/** Runs a field parser over a value an encoder was given; throws INVALID_ARGUMENT if it fails. */
export function formatWith<T>(field: string, value: string, parse: (text: string) => Result<T, string>): T {
  const parsed = typeof value === 'string' ? parse(value) : fail('not a string');
  if (!parsed.ok) invalidArgument(field, parsed.error);
  return parsed.value;
}
