import { sleep } from './sleep';
import { isTransientDatabaseError } from './transient-database-error';

/** Options of {@link retryTransient}. */
export interface RetryTransientOptions {
  /** Delay before the second attempt; doubles per attempt. Default 500 ms. */
  initialDelayMs?: number;
  /** Cap of the doubling delay. Default 10 s. */
  maxDelayMs?: number;
  /** Told before each wait. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /**
   * The service is shutting down: a wait under way ends at once, and the last error is thrown instead of
   * retrying.
   */
  stop?: AbortSignal;
}

/** A signal that never aborts: the waits of a retry nobody stops. */
const NEVER = new AbortController().signal;

/**
 * Runs `work` until it succeeds, retrying while it fails with a transient database error (a lost or refused
 * connection, a lock or statement timeout) with capped exponential backoff; any other error is thrown at once, so
 * a wrong password or a missing database still fails fast.
 */
export async function retryTransient<T>(
  work: () => Promise<T>,
  options: RetryTransientOptions = {},
): Promise<T> {
  const initial = options.initialDelayMs ?? 500;
  const max = options.maxDelayMs ?? 10_000;
  const stopped = () => options.stop?.aborted === true;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!isTransientDatabaseError(err) || stopped()) throw err;
      const delay = Math.min(max, initial * 2 ** (attempt - 1));
      options.onRetry?.(err, attempt, delay);
      await sleep(delay, options.stop ?? NEVER);
      if (stopped()) throw err;
    }
  }
}
