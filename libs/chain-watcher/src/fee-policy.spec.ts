import { describe, expect, it } from 'vitest';
import { bumpedFees, DEFAULT_FEE_POLICY, initialFees, isStuck, type FeePolicy } from './fee-policy';

const policy: FeePolicy = { replaceAfterMs: 30_000, bumpPercent: 25n, maxFeeCap: 100n * 10n ** 9n };
const gwei = (n: bigint) => n * 10n ** 9n;

describe('fee policy', () => {
  it('starts from the suggested fees, capped', () => {
    expect(initialFees({ maxFeePerGas: gwei(10n), maxPriorityFeePerGas: gwei(1n) }, policy)).toEqual({
      maxFeePerGas: gwei(10n),
      maxPriorityFeePerGas: gwei(1n),
    });
    expect(initialFees({ maxFeePerGas: gwei(200n), maxPriorityFeePerGas: gwei(150n) }, policy)).toEqual({
      maxFeePerGas: gwei(100n),
      maxPriorityFeePerGas: gwei(100n),
    });
  });

  it('raises both fees by the bump percent, rounding up so the node accepts the replacement', () => {
    expect(
      bumpedFees(
        { maxFeePerGas: 101n, maxPriorityFeePerGas: 3n },
        { maxFeePerGas: 1n, maxPriorityFeePerGas: 1n },
        policy,
      ),
    ).toEqual({
      maxFeePerGas: 127n,
      maxPriorityFeePerGas: 4n,
    });
  });

  it('follows the network when it asks for more than a bump', () => {
    const bumped = bumpedFees(
      { maxFeePerGas: gwei(10n), maxPriorityFeePerGas: gwei(1n) },
      { maxFeePerGas: gwei(40n), maxPriorityFeePerGas: gwei(5n) },
      policy,
    );
    expect(bumped).toEqual({ maxFeePerGas: gwei(40n), maxPriorityFeePerGas: gwei(5n) });
  });

  it('refuses to bump past the cap', () => {
    const near = { maxFeePerGas: gwei(90n), maxPriorityFeePerGas: gwei(2n) };
    expect(bumpedFees(near, near, policy)).toBeUndefined();
  });

  it('calls a transaction stuck only after the timeout (injected clock)', () => {
    let now = 1_000_000;
    const clock = () => now;
    const sentAt = clock();
    now += 29_999;
    expect(isStuck(sentAt, clock(), policy)).toBe(false);
    now += 1;
    expect(isStuck(sentAt, clock(), policy)).toBe(true);
  });

  it('has defaults that satisfy the 10 % replacement rule', () => {
    expect(DEFAULT_FEE_POLICY.bumpPercent).toBeGreaterThanOrEqual(10n);
  });
});
