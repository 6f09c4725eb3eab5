import { keccak256 } from './keccak256';
import { addressToBytes, checksumAddress } from './address';
import { balanceProofDigest, type BalanceProof } from './balance-proof';
import { closingProofDigest, type ClosingProof } from './closing-proof';
import type { ChannelDomain } from './eip712-domain';
import { bytesEqual, type Address, type Hex } from './hex';
import { ProtocolError } from './protocol-error';
import { isProvenKey, rememberProvenKey } from './proven-keys';
import { fail, ok, type Result } from './result';
import { defaultBackend, type Secp256k1Backend } from './secp256k1-backend';
import { parseSignature, serializeSignature, type ParsedSignature } from './signature';

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

// True when r‖s with this recovery id recovers one of `signers`: by the recovered key's bytes when that key is
// already proven to be the signer's, else by keccak of the key (which then proves it for next time).
function recoversOneOf(
  digest: Uint8Array,
  compact: Uint8Array,
  recoveryId: number,
  signers: readonly { address: string; bytes: Uint8Array }[],
  backend: Secp256k1Backend,
): boolean {
  const publicKey = backend.recoverPublicKey(digest, compact, recoveryId);
  if (publicKey === undefined) return false;
  if (signers.some((signer) => isProvenKey(signer.address, publicKey))) return true;
  const recovered = publicKeyToAddressBytes(publicKey);
  const signer = signers.find((candidate) => bytesEqual(recovered, candidate.bytes));
  if (signer === undefined) return false;
  rememberProvenKey(signer.address, publicKey);
  return true;
}

/**
 * Checks that `signature` is a canonical (low-s) signature of `proof` by `expectedSigner` (or by one of several:
 * the channel's sender and its balance signer, docs/protocol.md section 3) and returns it in the one form the
 * contract's ecrecover accepts: v = 27/28, and the v that recovers the signer. Validity rests on r‖s alone
 * (docs/protocol.md section 4): v only tells ecrecover which of two points to use, so a proof with a flipped v
 * still binds the signer to the balance and is accepted, with its v repaired. Every balance signature enters the
 * system through here, so every copy stored, published or served (events, the gateway's and the ledger's APIs,
 * the chain-watcher's disputes) is one that settles on chain.
 */
export function verifyBalanceProofSignature(
  domain: ChannelDomain,
  proof: BalanceProof,
  signature: string | Uint8Array,
  expectedSigner: string | readonly string[],
  backend: Secp256k1Backend = defaultBackend,
): Result<Hex, string> {
  const parsed = parseSignature(signature);
  if (!parsed.ok) return parsed;
  const candidates = typeof expectedSigner === 'string' ? [expectedSigner] : expectedSigner;
  const signers = candidates.flatMap((address) => {
    const bytes = addressToBytes(address);
    // The zero address is no one's key: a channel without a balance signer must not accept "signed by zero".
    return bytes === undefined || bytes.every((b) => b === 0) ? [] : [{ address, bytes }];
  });
  const refusal =
    candidates.length > 1
      ? 'not signed by the channel sender or its balance signer'
      : 'not signed by the channel sender';
  if (signers.length === 0) return fail(refusal);
  const digest = balanceProofDigest(domain, proof);
  // The given v first: an honest signer's is right, so the other costs a second recovery only for a flipped one.
  const given = parsed.value.recoveryId;
  for (const recoveryId of [given, 1 - given]) {
    if (recoversOneOf(digest, parsed.value.compact, recoveryId, signers, backend))
      return ok(
        recoveryId === given ? parsed.value.canonical : serializeSignature(parsed.value.compact, recoveryId),
      );
  }
  return fail(refusal);
}
