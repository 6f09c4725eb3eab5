import { keccak256 } from './keccak256';
import { addressToBytes, checksumAddress } from './address';
import { balanceProofDigest, type BalanceProof } from './balance-proof';
import { closingProofDigest, type ClosingProof } from './closing-proof';
import type { ChannelDomain } from './eip712-domain';
import { bytesEqual, type Address, type Hex } from './hex';
import { ProtocolError } from './protocol-error';
import { fail, ok, type Result } from './result';
import { defaultBackend, type Secp256k1Backend } from './secp256k1-backend';
import { parseSignature, type ParsedSignature } from './signature';

/** The 20 address bytes of a 65-byte uncompressed public key: the last 20 bytes of keccak(x‖y). */
export function publicKeyToAddressBytes(publicKey: Uint8Array): Uint8Array {
  return keccak256(publicKey.subarray(1)).subarray(12);
}

/** The checksummed address of a 65-byte uncompressed public key. */
export function publicKeyToAddress(publicKey: Uint8Array): Address {
  return checksumAddress(publicKeyToAddressBytes(publicKey));
}

/**
 * The signer's 20 address bytes, or undefined when no key recovers. Skips checksumming: the gateway
 * compares bytes, and a checksum costs one more keccak per request.
 */
export function recoverSignerBytes(
  digest: Uint8Array,
  signature: ParsedSignature,
  backend: Secp256k1Backend = defaultBackend,
): Uint8Array | undefined {
  const publicKey = backend.recoverPublicKey(digest, signature.compact, signature.recoveryId);
  return publicKey === undefined ? undefined : publicKeyToAddressBytes(publicKey);
}

/**
 * The checksummed address that signed a 32-byte digest. Malformed or malleable signatures and
 * signatures that recover no key give INVALID_SIGNATURE; never throws.
 */
export function recoverSigner(
  digest: Uint8Array,
  signature: string | Uint8Array,
  backend: Secp256k1Backend = defaultBackend,
): Result<Address> {
  const parsed = parseSignature(signature);
  if (!parsed.ok) return fail(new ProtocolError('INVALID_SIGNATURE', { reason: parsed.error }));
  const bytes = recoverSignerBytes(digest, parsed.value, backend);
  if (bytes === undefined)
    return fail(new ProtocolError('INVALID_SIGNATURE', { reason: 'no public key recovers' }));
  return ok(checksumAddress(bytes));
}

/** The address that signed a BalanceProof (the channel sender, if valid). */
export function recoverBalanceProofSigner(
  domain: ChannelDomain,
  proof: BalanceProof,
  signature: string | Uint8Array,
  backend: Secp256k1Backend = defaultBackend,
): Result<Address> {
  return recoverSigner(balanceProofDigest(domain, proof), signature, backend);
}

/** The address that signed a ClosingProof (the channel receiver, if valid). */
export function recoverClosingProofSigner(
  domain: ChannelDomain,
  proof: ClosingProof,
  signature: string | Uint8Array,
  backend: Secp256k1Backend = defaultBackend,
): Result<Address> {
  return recoverSigner(closingProofDigest(domain, proof), signature, backend);
}

// Public keys of signers already proven by keccak(publicKey) == address. A returning sender's proof is then
// checked with plain ECDSA verification against that key, which skips recovery's square root and affine
// conversion (~20% of the cost) and the keccak of the key. Entries are only added after that proof, so the
// cache cannot be poisoned; it is bounded and simply cleared when full.
const knownPublicKeys = new Map<string, Uint8Array>();
const KNOWN_PUBLIC_KEYS_LIMIT = 10_000;

/** Forgets every proven signer key, so the next proof of each sender takes the recovery path again. */
export function forgetKnownSigners(): void {
  knownPublicKeys.clear();
}

function isSignedBy(publicKey: Uint8Array, expectedSigner: string): boolean {
  const expected = addressToBytes(expectedSigner);
  if (expected === undefined || !bytesEqual(publicKeyToAddressBytes(publicKey), expected)) return false;
  if (knownPublicKeys.size >= KNOWN_PUBLIC_KEYS_LIMIT) knownPublicKeys.clear();
  knownPublicKeys.set(expectedSigner.toLowerCase(), publicKey.slice());
  return true;
}

/**
 * Checks that `signature` is a canonical (low-s) signature of `proof` by `expectedSigner` and returns it
 * in its v = 27/28 form, or the reason it fails. This is the gateway's hot path. Validity rests on r‖s
 * alone: v only tells ecrecover which of two points to use, and a proof with a flipped v still binds the
 * sender to the balance ({@link settleableBalanceSignature} repairs v before the proof goes on chain).
 * That lets a returning sender's proof be checked by plain verification against its proven key.
 */
export function verifyBalanceProofSignature(
  domain: ChannelDomain,
  proof: BalanceProof,
  signature: string | Uint8Array,
  expectedSigner: string,
  backend: Secp256k1Backend = defaultBackend,
): Result<Hex, string> {
  const parsed = parseSignature(signature);
  if (!parsed.ok) return parsed;
  const digest = balanceProofDigest(domain, proof);
  const known = knownPublicKeys.get(expectedSigner.toLowerCase());
  const signed =
    known !== undefined
      ? backend.verify(digest, parsed.value.compact, known)
      : recoveryIdOf(digest, parsed.value, expectedSigner, backend) !== undefined;
  return signed ? ok(parsed.value.canonical) : fail('not signed by the channel sender');
}

// The recovery id, the given one first, whose key is the expected signer's; undefined when neither is. Both are
// tried so that a new sender's proof is judged like a returning sender's: by r‖s alone.
function recoveryIdOf(
  digest: Uint8Array,
  signature: ParsedSignature,
  expectedSigner: string,
  backend: Secp256k1Backend,
): number | undefined {
  for (const recoveryId of [signature.recoveryId, 1 - signature.recoveryId]) {
    const publicKey = backend.recoverPublicKey(digest, signature.compact, recoveryId);
    if (publicKey !== undefined && isSignedBy(publicKey, expectedSigner)) return recoveryId;
  }
  return undefined;
}

/**
 * The form of a balance-proof signature that the contract's ecrecover accepts: `signature` itself when
 * its v recovers `expectedSigner`, the same r‖s with the other v when only that one does (the gateway
 * accepts such proofs, see verifyBalanceProofSignature), else the reason it is not the signer's at all.
 */
export function settleableBalanceSignature(
  domain: ChannelDomain,
  proof: BalanceProof,
  signature: string | Uint8Array,
  expectedSigner: string,
  backend: Secp256k1Backend = defaultBackend,
): Result<Hex, string> {
  const parsed = parseSignature(signature);
  if (!parsed.ok) return parsed;
  const recoveryId = recoveryIdOf(balanceProofDigest(domain, proof), parsed.value, expectedSigner, backend);
  if (recoveryId === undefined) return fail('not signed by the channel sender');
  return ok(`${parsed.value.canonical.slice(0, 130)}${recoveryId === 0 ? '1b' : '1c'}` as Hex);
}
