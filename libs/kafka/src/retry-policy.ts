import { MicroraidenError } from '@microraiden/errors';

/** How a failing handler is retried before its message is dead-lettered. */
export interface RetryPolicy {
  /** Delay before the second attempt; doubles per attempt. */
  initialDelayMs: number;
  /** Cap of the doubling delay. */
  maxDelayMs: number;
  /**
   * Attempts before a retryable failure is dead-lettered with `HANDLER_RETRIES_EXHAUSTED`. Default: unlimited, i.e.
   * the partition waits (its lag grows and alerts) rather than skipping a message and breaking per-channel order.
   */
  maxAttempts: number;
}

/** Defaults of {@link RetryPolicy}. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  initialDelayMs: 200,
  maxDelayMs: 30_000,
  maxAttempts: Number.POSITIVE_INFINITY,
};

/**
 * Default classification: a MicroraidenError is a deterministic domain failure (retrying the same event gives the
 * same answer) so it is dead-lettered at once; anything else (connection lost, timeout) is retried.
 */
export function isRetryableByDefault(error: unknown): boolean {
  return !(error instanceof MicroraidenError);
}

/** Delay before attempt `attempt + 1`: exponential, capped, with jitter so replicas do not retry in lockstep. */
export function backoffDelayMs(attempt: number, policy: RetryPolicy): number {
  const exponential = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.75 + Math.random() * 0.25));
}
