import {
  privateKeyToAddress,
  signClosingProof,
  type Address,
  type ChannelDomain,
  type ClosingProof,
  type Hex,
} from '@microraiden/protocol';

/** The receiver's signing key; the key itself never leaves this object (not logged, not serialised). */
export interface ReceiverKey {
  readonly address: Address;
  /** The receiver's ClosingProof signature, for cooperativeClose. */
  signClosingProof(domain: ChannelDomain, proof: ClosingProof): Hex;
}

/**
 * The paywall's signer over a key loaded by @microraiden/config's loadReceiverKey (which reads the keystore and
 * refuses public development keys outside development mode): the paywall takes a key, not settings.
 */
export function receiverKeyOf(wallet: {
  readonly address: string;
  readonly privateKey: string;
}): ReceiverKey {
  const address = wallet.address as Address;
  const receiverKey: ReceiverKey = {
    address,
    signClosingProof: (domain, proof) => signClosingProof(wallet.privateKey as Hex, domain, proof),
  };
  // util.inspect and JSON.stringify show the address only.
  Object.defineProperty(receiverKey, 'toJSON', { value: () => ({ address }), enumerable: false });
  return Object.freeze(receiverKey);
}

/**
 * The signer over a raw private key (0x + 64 hex), for an app that keeps the receiver's key in its own secret
 * store; the address is derived from it. A malformed key throws here, at start-up.
 */
export function receiverKeyOfPrivateKey(privateKey: string): ReceiverKey {
  return receiverKeyOf({ address: privateKeyToAddress(privateKey), privateKey });
}
