import { type Backoff, backoffMs } from './backoff';
import { sleep } from '@microraiden/persistence';

/** Options of {@link retryUntilStarted}. */
export interface RetryUntilStartedOptions {
  /** Ends the retrying: a pending wait resolves at once, and no attempt starts after it aborted. */
  stop: AbortSignal;
  /** Delay between attempts: fixed, or a back-off over consecutive failures. */
  delay: number | Backoff;
  /** Told after each failed attempt, before the wait (log it, report not ready, clean up a half start). */
  onFailure?: (err: unknown, failures: number, delayMs: number) => void | Promise<void>;
}

/**
 * Runs `work` until it succeeds or `stop` aborts: true once it succeeded, false when stopped first. Start-up steps
 * that need the network (migrations, topics, joining a group) use it so the process stays up and reports not ready
 * while a dependency is down, instead of crash-looping.
 */
export async function retryUntilStarted(
  work: () => Promise<void>,
  options: RetryUntilStartedOptions,
): Promise<boolean> {
  for (let failures = 1; !options.stop.aborted; failures++) {
    try {
      await work();
      return true;
    } catch (err) {
      const delayMs = typeof options.delay === 'number' ? options.delay : backoffMs(failures, options.delay);
      await options.onFailure?.(err, failures, delayMs);
      await sleep(delayMs, options.stop);
    }
  }
  return false;
}
