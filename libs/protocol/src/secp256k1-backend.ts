import { secp256k1 } from '@noble/curves/secp256k1.js';

/** The elliptic-curve operations the protocol needs, from either the native addon or @noble/curves. */
export interface Secp256k1Backend {
  readonly name: 'native' | 'noble';
  /** The 65-byte uncompressed public key, or undefined when the signature recovers no key. */
  recoverPublicKey(digest: Uint8Array, compact: Uint8Array, recoveryId: number): Uint8Array | undefined;
  /** True when r‖s signs `digest` under a 65-byte uncompressed public key (no recovery, so v plays no part). */
  verify(digest: Uint8Array, compact: Uint8Array, publicKey: Uint8Array): boolean;
  /** A deterministic (RFC 6979), low-s signature over a 32-byte digest. */
  sign(digest: Uint8Array, privateKey: Uint8Array): { compact: Uint8Array; recoveryId: number };
  /** The 65-byte uncompressed public key of a private key. */
  publicKey(privateKey: Uint8Array): Uint8Array;
  /** True when `privateKey` is a valid secp256k1 scalar (1..n-1). */
  isValidPrivateKey(privateKey: Uint8Array): boolean;
}

/** Pure-JS backend: always available, several times slower at recovery than the addon. */
export const nobleBackend: Secp256k1Backend = Object.freeze({
  name: 'noble',
  recoverPublicKey(digest: Uint8Array, compact: Uint8Array, recoveryId: number): Uint8Array | undefined {
    try {
      return secp256k1.Signature.fromBytes(compact, 'compact')
        .addRecoveryBit(recoveryId)
        .recoverPublicKey(digest)
        .toBytes(false);
    } catch {
      return undefined;
    }
  },
  verify(digest: Uint8Array, compact: Uint8Array, publicKey: Uint8Array): boolean {
    try {
      return secp256k1.verify(compact, digest, publicKey, { prehash: false, lowS: true, format: 'compact' });
    } catch {
      return false;
    }
  },
  sign(digest: Uint8Array, privateKey: Uint8Array) {
    const recovered = secp256k1.sign(digest, privateKey, { prehash: false, lowS: true, format: 'recovered' });
    return { compact: recovered.subarray(1), recoveryId: recovered[0] as number };
  },
  publicKey(privateKey: Uint8Array): Uint8Array {
    return secp256k1.getPublicKey(privateKey, false);
  },
  isValidPrivateKey(privateKey: Uint8Array): boolean {
    return secp256k1.utils.isValidSecretKey(privateKey);
  },
} as const);

interface NativeAddon {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed?: boolean): Uint8Array;
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, publicKey: Uint8Array): boolean;
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
  publicKeyCreate(privateKey: Uint8Array, compressed?: boolean): Uint8Array;
  privateKeyVerify(privateKey: Uint8Array): boolean;
}

/**
 * The libsecp256k1 addon, or undefined when it cannot load. `secp256k1/bindings` is required directly
 * because the package's main entry silently falls back to the slow `elliptic` library instead of failing.
 */
export function loadNativeBackend(): Secp256k1Backend | undefined {
  let addon: NativeAddon;
  try {
    // A plain require, not an import: the addon is optional and a failed load must be catchable here.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    addon = require('secp256k1/bindings') as NativeAddon;
  } catch {
    return undefined;
  }
  return Object.freeze({
    name: 'native',
    recoverPublicKey(digest: Uint8Array, compact: Uint8Array, recoveryId: number): Uint8Array | undefined {
      try {
        return addon.ecdsaRecover(compact, recoveryId, digest, false);
      } catch {
        return undefined; // the addon throws on r/s out of range and on unrecoverable points
      }
    },
    verify(digest: Uint8Array, compact: Uint8Array, publicKey: Uint8Array): boolean {
      try {
        // libsecp256k1 rejects high s here too, matching parseSignature and OpenZeppelin.
        return addon.ecdsaVerify(compact, digest, publicKey);
      } catch {
        return false;
      }
    },
    sign(digest: Uint8Array, privateKey: Uint8Array) {
      const { signature, recid } = addon.ecdsaSign(digest, privateKey);
      return { compact: signature, recoveryId: recid };
    },
    publicKey(privateKey: Uint8Array): Uint8Array {
      return addon.publicKeyCreate(privateKey, false);
    },
    isValidPrivateKey(privateKey: Uint8Array): boolean {
      return privateKey.length === 32 && addon.privateKeyVerify(privateKey);
    },
  } as const);
}

function selectDefaultBackend(): Secp256k1Backend {
  // Escape hatch for operators: force the pure-JS path if the addon misbehaves on some platform.
  if (typeof process !== 'undefined' && process.env?.MICRORAIDEN_SECP256K1 === 'noble') return nobleBackend;
  return loadNativeBackend() ?? nobleBackend;
}

/** The backend used when a function is not given one: native when it loads, else noble. */
export const defaultBackend: Secp256k1Backend = selectDefaultBackend();
