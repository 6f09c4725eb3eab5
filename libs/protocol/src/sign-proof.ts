import { balanceProofDigest, type BalanceProof } from './balance-proof';
import { closingProofDigest, type ClosingProof } from './closing-proof';
import type { ChannelDomain } from './eip712-domain';
import { hexToBytes, type Address, type Hex } from './hex';
import { invalidArgument } from './protocol-error';
import { publicKeyToAddress } from './recover-signer';
import { defaultBackend, type Secp256k1Backend } from './secp256k1-backend';
import { serializeSignature } from './signature';

/** A private key as 0x + 64 hex or 32 bytes. Never logged, never put in error details. */
export type PrivateKey = string | Uint8Array;

function privateKeyBytes(privateKey: PrivateKey, backend: Secp256k1Backend): Uint8Array {
  const bytes = typeof privateKey === 'string' ? hexToBytes(privateKey, 32) : privateKey;
  if (bytes === undefined || !backend.isValidPrivateKey(bytes)) {
    invalidArgument('privateKey', 'must be 32 bytes (0x + 64 hex) in 1..n-1');
  }
  return bytes;
}

/** Signs a 32-byte digest: canonical 65-byte r‖s‖v, low s, v = 27/28, deterministic (RFC 6979). */
export function signDigest(
  privateKey: PrivateKey,
  digest: Uint8Array,
  backend: Secp256k1Backend = defaultBackend,
): Hex {
  if (digest.length !== 32) invalidArgument('digest', 'must be 32 bytes');
  const { compact, recoveryId } = backend.sign(digest, privateKeyBytes(privateKey, backend));
  return serializeSignature(compact, recoveryId);
}

/** The sender's signature over a BalanceProof; identical to ethers' Wallet.signTypedData output. */
export function signBalanceProof(
  privateKey: PrivateKey,
  domain: ChannelDomain,
  proof: BalanceProof,
  backend: Secp256k1Backend = defaultBackend,
): Hex {
  return signDigest(privateKey, balanceProofDigest(domain, proof), backend);
}

/** The receiver's signature over a ClosingProof, for cooperativeClose. */
export function signClosingProof(
  privateKey: PrivateKey,
  domain: ChannelDomain,
  proof: ClosingProof,
  backend: Secp256k1Backend = defaultBackend,
): Hex {
  return signDigest(privateKey, closingProofDigest(domain, proof), backend);
}

/** The checksummed address of a private key. */
export function privateKeyToAddress(
  privateKey: PrivateKey,
  backend: Secp256k1Backend = defaultBackend,
): Address {
  return publicKeyToAddress(backend.publicKey(privateKeyBytes(privateKey, backend)));
}
