import {
  parsePriceField,
  X402_SCHEME,
  x402Requirements,
  type Address,
  type Challenge,
  type X402ChannelRequirements,
  type X402ChannelState,
  type X402TokenInfo,
} from '@microraiden/protocol';
import type { AssetAmount, Network, PaymentRequirements, Price } from '@x402/core/types';
import type { PaywallIdentity } from '../core/paywall';

/** A route configuration of x402's middleware that cannot be served over microraiden channels. */
export class X402ConfigurationError extends Error {
  override readonly name = 'X402ConfigurationError';
}

/** The CAIP-2 network of the gateway's chain. */
export function networkOf(identity: PaywallIdentity): Network {
  return `eip155:${identity.domain.chainId}`;
}

function sameAddress(a: string, b: Address): boolean {
  return typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
}

/**
 * A route's `price` as token base units of the channel token. Channels escrow one token, so money strings
 * (`"$0.01"`, USD) have no meaning here: a price is an integer count of base units, or an AssetAmount of the token.
 */
export function channelPrice(identity: PaywallIdentity, price: Price, network: Network): AssetAmount {
  if (network !== networkOf(identity)) {
    throw new X402ConfigurationError(`microraiden-channel serves ${networkOf(identity)}, not ${network}`);
  }
  const amount = typeof price === 'object' ? price.amount : String(price);
  if (typeof price === 'object' && !sameAddress(price.asset, identity.token)) {
    throw new X402ConfigurationError('microraiden-channel prices are in the channel token');
  }
  if (!parsePriceField(amount).ok) {
    throw new X402ConfigurationError(
      'microraiden-channel prices are token base units: a canonical integer >= 1 (no "$" amounts)',
    );
  }
  return { amount, asset: identity.token };
}

/** Our requirement for x402's base requirement (amount, payTo, network, timeout from the route). */
export function channelRequirements(
  identity: PaywallIdentity,
  base: PaymentRequirements,
  token: X402TokenInfo | undefined,
): PaymentRequirements {
  if (base.scheme !== X402_SCHEME || base.network !== networkOf(identity)) {
    throw new X402ConfigurationError(`expected ${X402_SCHEME} on ${networkOf(identity)}`);
  }
  if (!sameAddress(base.payTo, identity.receiver)) {
    throw new X402ConfigurationError('payTo must be the receiver the gateway collects for');
  }
  const price = parsePriceField(base.amount);
  if (!price.ok) throw new X402ConfigurationError(`amount: ${price.error}`);
  const challenge: Challenge = {
    gatewayPath: identity.gatewayPath,
    receiver: identity.receiver,
    channelManager: identity.domain.verifyingContract,
    token: identity.token,
    price: price.value,
    chainId: identity.domain.chainId,
  };
  const ours = x402Requirements(challenge, {
    maxTimeoutSeconds: base.maxTimeoutSeconds,
    ...(token === undefined ? {} : { token }),
  });
  return asX402(ours);
}

/** The requirement with the channel state of a corrective 402 added. */
export function withChannelState(
  requirements: PaymentRequirements,
  channel: X402ChannelState,
): PaymentRequirements {
  const json = asX402(x402Requirements({ ...challengeOf(requirements) }, { channel }));
  return { ...requirements, extra: { ...requirements.extra, channel: json.extra.channel } };
}

function challengeOf(requirements: PaymentRequirements): Challenge {
  const extra = requirements.extra as X402ChannelRequirements['extra'];
  return {
    gatewayPath: extra.gatewayPath,
    receiver: requirements.payTo as Address,
    channelManager: extra.channelManager as Address,
    token: requirements.asset as Address,
    price: BigInt(requirements.amount),
    chainId: BigInt(requirements.network.slice('eip155:'.length)),
  };
}

// Our wire type and x402's are the same JSON; x402 types `network` as a template literal.
function asX402(requirements: X402ChannelRequirements): PaymentRequirements {
  return requirements as unknown as PaymentRequirements;
}
