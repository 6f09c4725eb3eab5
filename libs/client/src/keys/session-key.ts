// A session key (docs/protocol.md 3.1): a throwaway secp256k1 key a sender names as its channel's balance signer
// when opening it (createChannelWithSigner / createChannelWithPermitAndSigner), so that balance proofs are signed
// without a wallet prompt. It can spend at most that channel's deposit; the browser paywall keeps one per channel
// in localStorage. The curve is @noble/secp256k1 (~5 kB minified, cross-tested by its authors against the audited
// @noble/curves, whose 42 kB the page cannot carry), signing asynchronously with WebCrypto's HMAC-SHA256 for
// RFC 6979, so no hash library comes along.
import { getPublicKey, signAsync, utils } from '@noble/secp256k1';
import {
  balanceProofDigest,
  bytesToHex,
  hexToBytes,
  publicKeyToAddress,
  serializeSignature,
  type Address,
  type BalanceProof,
  type ChannelDomain,
  type Hex,
} from '@microraiden/protocol';

/** A session key and the address the channel names as its signer. */
export interface SessionKey {
  /** 0x + 64 hex. Never logged. */
  readonly privateKey: Hex;
  readonly address: Address;
}

/** True when this runtime can make and use session keys: WebCrypto's random numbers and HMAC (secure contexts). */
export function sessionKeysAvailable(): boolean {
  // Typed by hand: the package builds without the DOM library, and Node's and browsers' crypto share these two.
  const c = (globalThis as { crypto?: { getRandomValues?: unknown; subtle?: { importKey?: unknown } } })
    .crypto;
  return typeof c?.getRandomValues === 'function' && typeof c.subtle?.importKey === 'function';
}

/** The session key of a stored private key; undefined when it is not one (0x + 64 hex in 1..n-1). */
export function sessionKeyFrom(privateKey: unknown): SessionKey | undefined {
  const bytes = typeof privateKey === 'string' ? hexToBytes(privateKey, 32) : undefined;
  if (bytes === undefined || !utils.isValidSecretKey(bytes)) return undefined;
  return { privateKey: bytesToHex(bytes), address: publicKeyToAddress(getPublicKey(bytes, false)) };
}

/** A new random session key (crypto.getRandomValues). */
export function createSessionKey(): SessionKey {
  for (;;) {
    const key = sessionKeyFrom(bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(32))));
    // Out of range with probability ~2^-128: draw again.
    if (key) return key;
  }
}

/** The session key's signature over a balance proof: what the sender's own would be, by another key. */
export async function signBalanceProofWithSessionKey(
  key: SessionKey,
  domain: ChannelDomain,
  proof: BalanceProof,
): Promise<Hex> {
  // Deterministic (RFC 6979) and low-s, like every signature the protocol makes: [recovery id, r, s].
  const signed = await signAsync(
    balanceProofDigest(domain, proof),
    hexToBytes(key.privateKey, 32) as Uint8Array,
    {
      prehash: false,
      format: 'recovered',
    },
  );
  return serializeSignature(signed.subarray(1), signed[0] as number);
}
