import type { ValueTransformer } from 'typeorm';

/**
 * numeric(78,0) <-> bigint: pg returns numerics as strings (exact), never as floats; 78 digits hold any uint256.
 */
export const bigintTransformer: ValueTransformer = {
  to: (value: bigint | null | undefined) =>
    value === null || value === undefined ? value : value.toString(),
  from: (value: string | null) => (value === null ? null : BigInt(value)),
};
