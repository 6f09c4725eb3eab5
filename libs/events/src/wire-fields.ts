import { z } from 'zod';
import { checksumOf, isChecksummedAddress, isEventAddress } from './event-address';

/** A 0x-prefixed hex string (viem's and ethers' spelling). */
export type Hex = `0x${string}`;

/** An EIP-55 checksummed address. */
export type Address = `0x${string}`;

/**
 * Unsigned integer of `bits` bits: `bigint` in TypeScript, a canonical base-10 string on the wire. JSON numbers,
 * signs, decimals, exponents and leading zeros are rejected: a float or a lossy number must never become money.
 */
function uintField(bits: 64 | 256) {
  const max = (1n << BigInt(bits)) - 1n;
  const maxDigits = max.toString().length;
  return z.codec(
    z
      .string()
      .regex(
        new RegExp(`^(0|[1-9]\\d{0,${maxDigits - 1}})$`),
        'expected a non-negative base-10 integer string without leading zeros',
      )
      .refine((value) => BigInt(value) <= max, `exceeds uint${bits}`),
    z.bigint().min(0n).max(max),
    { decode: (value) => BigInt(value), encode: (value) => String(value) },
  );
}

/** uint256 token amount (base units). */
export const amountField = uintField(256);

/** uint64 value from the contract, e.g. `settleAt` (unix seconds). */
export const uint64Field = uintField(64);

/**
 * Address (`event-address.ts` caches checksums, which matters on every encode and decode): the wire carries the
 * EIP-55 checksum form only (every producer writes it through encodeEvent, so anything else means a producer
 * bypassed this lib); in TypeScript any valid spelling is accepted and normalised on encode.
 */
export const addressField = z.codec(
  z.string().refine(isChecksummedAddress, 'expected an EIP-55 checksummed address'),
  // Lower case, or mixed case only with a valid checksum.
  z.custom<Address>(isEventAddress, 'expected a 20-byte address'),
  { decode: (value) => value as Address, encode: (value) => toChecksum(value) },
);

/** Checksum form, or the input unchanged when it is no address (zod still encodes after a failed check). */
function toChecksum(value: string): Address {
  return checksumOf(value) ?? (value as Address);
}

/** Fixed-length hex (lowercase on the wire, any case accepted in TypeScript and lowercased on encode). */
function hexField(bytes: number, what: string) {
  const digits = bytes * 2;
  return z.codec(
    z
      .string()
      .regex(new RegExp(`^0x[0-9a-f]{${digits}}$`), `expected ${what}: 0x + ${digits} lowercase hex digits`),
    z.custom<Hex>(
      (value) => typeof value === 'string' && new RegExp(`^0x[0-9a-fA-F]{${digits}}$`).test(value),
      `expected ${what}: 0x + ${digits} hex digits`,
    ),
    { decode: (value) => value as Hex, encode: (value) => String(value).toLowerCase() as Hex },
  );
}

/** 32-byte value: channel ids, block and transaction hashes, deterministic event ids. */
export const bytes32Field = hexField(32, 'a 32-byte hex value');

/** 65-byte (r, s, v) ECDSA signature. */
export const signatureField = hexField(65, 'a 65-byte signature');

/** EVM chain id: a positive safe integer (a JSON number is exact below 2^53). */
export const chainIdField = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Block number or log index: a non-negative safe integer. */
export const blockIntegerField = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** UTC instant in ISO 8601 with a `Z` suffix, as `Date#toISOString()` writes it. */
export const instantField = z.iso.datetime({ offset: false });
