import type { EncodedHeaders, HeaderSource } from './header-bag';
import {
  formatAmount,
  formatWith,
  parseAddressField,
  parseChainIdField,
  parseGatewayPathField,
  parsePriceField,
  parsePriceModeField,
  parseUnitBytesField,
  type PriceMode,
} from './header-fields';
import { RDN_HEADERS } from './header-names';
import { readOptionalField, readRequiredField } from './header-reader';
import type { Address } from './hex';
import { invalidArgument } from './protocol-error';
import { ok, type Result } from './result';

/** What a gateway tells a client about how to pay it: sent on every 402 and every paid reply. */
export interface Challenge {
  /** Prefix of the gateway's management API, e.g. `/api/1`. */
  readonly gatewayPath: string;
  readonly receiver: Address;
  /** The MicroTransferChannels contract: the EIP-712 verifyingContract. */
  readonly channelManager: Address;
  /** The ERC-20 token channels escrow. */
  readonly token: Address;
  /** Token base units to authorise for this request (>= 1): its price, or a metered route's ceiling. */
  readonly price: bigint;
  /** EIP-155 chain id: the EIP-712 domain's chainId. */
  readonly chainId: bigint;
  /**
   * How the route is priced (docs/protocol.md 7.2); absent means `fixed`, and `fixed` is never sent. `metered`: the
   * price is a ceiling, the request is charged what it used (at least 1, at most the ceiling).
   */
  readonly priceMode?: PriceMode;
  /**
   * A streamed route's price per unit (RDN-Unit-Price, docs/protocol.md 7.3): sent with `priceMode: 'stream'` only,
   * where `price` is one step (unitPrice * units per step).
   */
  readonly unitPrice?: bigint;
  /**
   * A byte-metered streamed route's unit (RDN-Unit-Bytes, docs/protocol.md 7.3, "Byte-metered streams"): this many
   * bytes of the response body. Absent on a stream means the unit is one server-sent event.
   */
  readonly unitBytes?: number;
}

/** The challenge as RDN-* headers; throws INVALID_ARGUMENT for values parseChallenge would refuse. */
export function encodeChallenge(challenge: Challenge): EncodedHeaders {
  if (typeof challenge.price !== 'bigint' || challenge.price < 1n) invalidArgument('price', 'must be >= 1');
  if (typeof challenge.chainId !== 'bigint') invalidArgument('chainId', 'must be a bigint');
  const mode = challenge.priceMode;
  const priceMode: Record<string, string> =
    mode === undefined || mode === 'fixed'
      ? {}
      : { [RDN_HEADERS.priceMode]: formatWith('priceMode', mode, parsePriceModeField) };
  if (mode === 'stream' && challenge.unitPrice !== undefined) {
    if (challenge.unitPrice < 1n || challenge.unitPrice > challenge.price)
      invalidArgument('unitPrice', 'must be >= 1 and at most the price (one step)');
    priceMode[RDN_HEADERS.unitPrice] = formatAmount('unitPrice', challenge.unitPrice);
  }
  if (mode === 'stream' && challenge.unitBytes !== undefined)
    priceMode[RDN_HEADERS.unitBytes] = formatWith(
      'unitBytes',
      String(challenge.unitBytes),
      parseUnitBytesField,
    ).toString();
  return {
    [RDN_HEADERS.gatewayPath]: formatWith('gatewayPath', challenge.gatewayPath, parseGatewayPathField),
    [RDN_HEADERS.receiver]: formatWith('receiver', challenge.receiver, parseAddressField),
    [RDN_HEADERS.contract]: formatWith('channelManager', challenge.channelManager, parseAddressField),
    [RDN_HEADERS.token]: formatWith('token', challenge.token, parseAddressField),
    [RDN_HEADERS.price]: formatAmount('price', challenge.price),
    [RDN_HEADERS.chainId]: String(formatWith('chainId', challenge.chainId.toString(10), parseChainIdField)),
    ...priceMode,
  };
}

/** Reads a gateway's challenge headers; any missing or malformed one gives RESPONSE_MALFORMED. */
export function parseChallenge(headers: HeaderSource): Result<Challenge> {
  const code = 'RESPONSE_MALFORMED';
  const gatewayPath = readRequiredField(headers, RDN_HEADERS.gatewayPath, parseGatewayPathField, code);
  if (!gatewayPath.ok) return gatewayPath;
  const receiver = readRequiredField(headers, RDN_HEADERS.receiver, parseAddressField, code);
  if (!receiver.ok) return receiver;
  const channelManager = readRequiredField(headers, RDN_HEADERS.contract, parseAddressField, code);
  if (!channelManager.ok) return channelManager;
  const token = readRequiredField(headers, RDN_HEADERS.token, parseAddressField, code);
  if (!token.ok) return token;
  const price = readRequiredField(headers, RDN_HEADERS.price, parsePriceField, code);
  if (!price.ok) return price;
  const chainId = readRequiredField(headers, RDN_HEADERS.chainId, parseChainIdField, code);
  if (!chainId.ok) return chainId;
  const priceMode = readOptionalField(headers, RDN_HEADERS.priceMode, parsePriceModeField, code);
  if (!priceMode.ok) return priceMode;
  const unitPrice =
    priceMode.value === 'stream'
      ? readOptionalField(headers, RDN_HEADERS.unitPrice, parsePriceField, code)
      : ok(undefined);
  if (!unitPrice.ok) return unitPrice;
  const unitBytes =
    priceMode.value === 'stream'
      ? readOptionalField(headers, RDN_HEADERS.unitBytes, parseUnitBytesField, code)
      : ok(undefined);
  if (!unitBytes.ok) return unitBytes;
  return ok({
    gatewayPath: gatewayPath.value,
    receiver: receiver.value,
    channelManager: channelManager.value,
    token: token.value,
    price: price.value,
    chainId: chainId.value,
    ...(priceMode.value === undefined || priceMode.value === 'fixed' ? {} : { priceMode: priceMode.value }),
    ...(unitPrice.value === undefined ? {} : { unitPrice: unitPrice.value }),
    ...(unitBytes.value === undefined ? {} : { unitBytes: unitBytes.value }),
  });
}
