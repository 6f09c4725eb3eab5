import { sameAddress, type Challenge } from '@microraiden/protocol';
import { ClientError } from '../client-error';
import type { PaymentIdentity } from './payment-wallet';

/** Checks a challenge against this client's deployment and the caller's price limit, before anything is signed. */
export function checkChallenge(challenge: Challenge, identity: PaymentIdentity, maxPrice: bigint): void {
  const mismatch = (what: string, expected: string, received: string) =>
    new ClientError(
      'CHALLENGE_MISMATCH',
      `the gateway asks for payment with ${what} ${received}, this client is set up for ${expected}`,
      { field: what, expected, received },
    );
  if (challenge.chainId !== identity.chainId) {
    throw mismatch('chain id', identity.chainId.toString(), challenge.chainId.toString());
  }
  if (!sameAddress(challenge.channelManager, identity.channelManager)) {
    throw mismatch('channel manager', identity.channelManager, challenge.channelManager);
  }
  if (!sameAddress(challenge.token, identity.token)) {
    throw mismatch('token', identity.token, challenge.token);
  }
  if (challenge.price > maxPrice) {
    throw new ClientError(
      'PRICE_TOO_HIGH',
      `the gateway asks ${challenge.price} per request, above the limit of ${maxPrice}`,
      { price: challenge.price.toString(), maxPrice: maxPrice.toString() },
    );
  }
}

/**
 * Refuses a streamed route (RDN-Price-Mode: stream) to a plain paid request, before anything is signed: its price is
 * one step of units, so a fetch would pay one step and get the stream cut where the step ran out, with the gateway's
 * prompts in the body. Such routes are read with `client.stream` (per event) or `client.streamBytes` (per bytes).
 */
export function checkNotStreamed(challenge: Challenge): void {
  if (challenge.priceMode !== 'stream') return;
  const reader = challenge.unitBytes === undefined ? 'client.stream' : 'client.streamBytes';
  throw new ClientError(
    'CHALLENGE_MISMATCH',
    `the route is streamed and paid per ${challenge.unitBytes === undefined ? 'event' : `${challenge.unitBytes} bytes`} ` +
      `as it is delivered (RDN-Price-Mode: stream, docs/protocol.md 7.3): read it with ${reader}, not a paid fetch`,
    { field: 'price mode', expected: 'fixed or metered', received: 'stream' },
  );
}
