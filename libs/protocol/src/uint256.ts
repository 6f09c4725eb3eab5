import { fail, ok, type Result } from './result';

/** The largest value of a Solidity uint256. */
export const UINT256_MAX = (1n << 256n) - 1n;
/**
 * Largest chain id accepted: 2^53-1, so the id is exact as a JSON/JS number everywhere (the event
 * schemas carry it as a number). Tighter than EIP-2294's 2^64-1; no real chain comes near either.
 */
export const CHAIN_ID_MAX = BigInt(Number.MAX_SAFE_INTEGER);

// Canonical base-10: no sign, no leading zeros, no decimals or exponent; 78 digits fit any uint256.
const CANONICAL_DECIMAL = /^(0|[1-9][0-9]{0,77})$/;

/**
 * Parses a canonical base-10 unsigned integer no larger than `max`; returns a reason on failure.
 * Leading zeros are refused so every amount has exactly one spelling on the wire.
 */
export function parseDecimal(text: string, max: bigint = UINT256_MAX): Result<bigint, string> {
  if (text.length === 0) return fail('empty');
  if (text.length > 78) return fail('too many digits');
  if (!CANONICAL_DECIMAL.test(text)) return fail('not a canonical base-10 unsigned integer');
  const value = BigInt(text);
  if (value > max) return fail('out of range');
  return ok(value);
}

/** True when `value` is an integer in [0, UINT256_MAX]. */
export function isUint256(value: unknown): value is bigint {
  return typeof value === 'bigint' && value >= 0n && value <= UINT256_MAX;
}

/** Writes `value` as a 32-byte big-endian word at `offset` (ABI encoding of uint256). */
export function writeUint256(out: Uint8Array, offset: number, value: bigint): void {
  const view = new DataView(out.buffer, out.byteOffset + offset, 32);
  if (value <= 0xffffffffffffffffn) {
    // Most balances fit 64 bits: one store and no bigint shifts (each shift allocates).
    view.setBigUint64(0, 0n);
    view.setBigUint64(8, 0n);
    view.setBigUint64(16, 0n);
    view.setBigUint64(24, value);
    return;
  }
  view.setBigUint64(24, BigInt.asUintN(64, value));
  view.setBigUint64(16, BigInt.asUintN(64, value >> 64n));
  view.setBigUint64(8, BigInt.asUintN(64, value >> 128n));
  view.setBigUint64(0, BigInt.asUintN(64, value >> 192n));
}
