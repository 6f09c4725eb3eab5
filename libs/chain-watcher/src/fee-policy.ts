/** EIP-1559 fees of a transaction, in wei per gas. */
export interface Fees {
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
}

/** How the sender prices and re-prices transactions. */
export interface FeePolicy {
  /** A transaction not mined this long after it was sent is replaced with higher fees. */
  readonly replaceAfterMs: number;
  /** Percent added to both fees on a replacement; nodes require at least 10. */
  readonly bumpPercent: bigint;
  /** Never offer more than this max fee per gas (a runaway bump would drain the receiver). */
  readonly maxFeeCap: bigint;
}

/** Defaults: replace after 30 s, +25 % per replacement, cap at 500 gwei. */
export const DEFAULT_FEE_POLICY: FeePolicy = {
  replaceAfterMs: 30_000,
  bumpPercent: 25n,
  maxFeeCap: 500_000_000_000n,
};

const raise = (value: bigint, percent: bigint): bigint => (value * (100n + percent) + 99n) / 100n;

/** Fees for a first send: what the network suggests, the max fee capped. */
export function initialFees(suggested: Fees, policy: FeePolicy): Fees {
  const maxFeePerGas = suggested.maxFeePerGas < policy.maxFeeCap ? suggested.maxFeePerGas : policy.maxFeeCap;
  const tip = suggested.maxPriorityFeePerGas < maxFeePerGas ? suggested.maxPriorityFeePerGas : maxFeePerGas;
  return { maxFeePerGas, maxPriorityFeePerGas: tip };
}

/**
 * Fees for replacing a stuck transaction: both fees raised by `bumpPercent` (rounded up, so the node's
 * replacement rule holds) or to what the network now suggests, whichever is higher; undefined when that would
 * exceed the cap (the transaction then waits as it is).
 */
export function bumpedFees(previous: Fees, suggested: Fees, policy: FeePolicy): Fees | undefined {
  const max = (a: bigint, b: bigint) => (a > b ? a : b);
  const maxPriorityFeePerGas = max(
    raise(previous.maxPriorityFeePerGas, policy.bumpPercent),
    suggested.maxPriorityFeePerGas,
  );
  const maxFeePerGas = max(
    max(raise(previous.maxFeePerGas, policy.bumpPercent), suggested.maxFeePerGas),
    maxPriorityFeePerGas,
  );
  if (maxFeePerGas > policy.maxFeeCap) return undefined;
  return { maxFeePerGas, maxPriorityFeePerGas };
}

/** True when a transaction sent at `sentAtMs` and still not mined at `nowMs` should be replaced. */
export function isStuck(sentAtMs: number, nowMs: number, policy: FeePolicy): boolean {
  return nowMs - sentAtMs >= policy.replaceAfterMs;
}
