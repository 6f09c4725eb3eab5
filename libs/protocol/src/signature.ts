import { bytesToHex, hexToBytes, type Hex } from './hex';
import { invalidArgument } from './protocol-error';
import { fail, ok, type Result } from './result';

/** A 65-byte r‖s‖v signature split for recovery, with its canonical (v = 27/28) spelling. */
export interface ParsedSignature {
  /** r‖s, 64 bytes. */
  readonly compact: Uint8Array;
  /** 0 or 1. */
  readonly recoveryId: number;
  /** r‖s‖v as 0x + 130 lowercase hex with v = 27/28: the only form OpenZeppelin's ECDSA accepts on chain. */
  readonly canonical: Hex;
}

// secp256k1 group order n, and n/2: OpenZeppelin's ECDSA rejects s > n/2 (EIP-2), so do we.
const N = [
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae,
  0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
];
const HALF_N = [
  0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57,
  0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
];

/** The secp256k1 group order. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

// Compares the 32-byte big-endian word at `offset` with `limit`: -1, 0 or 1.
function compareWord(bytes: Uint8Array, offset: number, limit: readonly number[]): number {
  for (let i = 0; i < 32; i++) {
    const a = bytes[offset + i] as number;
    const b = limit[i] as number;
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}

function isZeroWord(bytes: Uint8Array, offset: number): boolean {
  for (let i = 0; i < 32; i++) if (bytes[offset + i] !== 0) return false;
  return true;
}

/**
 * Splits a 65-byte r‖s‖v signature, accepting v as 27/28 or 0/1 (wallets emit both). Rejects what
 * OpenZeppelin's ECDSA would reject on chain: r or s zero, r >= n, and high s (s > n/2), which is the
 * malleable twin of a valid signature. Returns a reason on failure; never throws.
 */
export function parseSignature(signature: string | Uint8Array): Result<ParsedSignature, string> {
  const bytes = typeof signature === 'string' ? hexToBytes(signature, 65) : signature;
  if (bytes === undefined || bytes.length !== 65) return fail('not 65 bytes (0x followed by 130 hex digits)');
  const v = bytes[64] as number;
  let recoveryId: number;
  if (v === 27 || v === 28) recoveryId = v - 27;
  else if (v === 0 || v === 1) recoveryId = v;
  else return fail('v is not 27, 28, 0 or 1');
  if (isZeroWord(bytes, 0) || compareWord(bytes, 0, N) >= 0) return fail('r is out of range');
  if (isZeroWord(bytes, 32)) return fail('s is zero');
  if (compareWord(bytes, 32, HALF_N) > 0)
    return fail('s is in the upper half of the curve order (malleable)');
  // Already canonical text (the usual case) is reused instead of re-encoded: this runs per request.
  const canonical =
    typeof signature === 'string' && v >= 27
      ? (signature.toLowerCase() as Hex)
      : serializeSignature(bytes.subarray(0, 64), recoveryId);
  return ok({ compact: bytes.subarray(0, 64), recoveryId, canonical });
}

/** Joins r‖s and a recovery id into the canonical 65-byte form with v = 27/28. */
export function serializeSignature(compact: Uint8Array, recoveryId: number): Hex {
  if (compact.length !== 64) invalidArgument('compact', 'must be 64 bytes');
  if (recoveryId !== 0 && recoveryId !== 1) invalidArgument('recoveryId', 'must be 0 or 1');
  const out = new Uint8Array(65);
  out.set(compact, 0);
  out[64] = 27 + recoveryId;
  return bytesToHex(out);
}
