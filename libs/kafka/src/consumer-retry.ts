import { MicroraidenError } from '@microraiden/errors';
import { sleep } from '@microraiden/persistence';
import type { KafkaClientOptions } from './kafka-client';
import { backoffDelayMs, type RetryPolicy } from './retry-policy';

/** How an attempted piece of work ended: done, or given up with the reason its message is dead-lettered with. */
export type Outcome = { ok: true } | { ok: false; code: string; message: string };

/** Thrown to unwind a partition's work when the consumer stops or loses the partition; never escapes the consumer. */
export class Interrupted extends Error {}

/** What to do about one failed attempt. */
export type RetryDecision =
  { retry: true; delayMs: number } | { retry: false; code: string; message: string };

/** How a piece of work is retried: `retryAll` ignores the classification, `unlimited` the attempt limit. */
export interface AttemptContext {
  what: string;
  retryAll?: boolean;
  unlimited?: boolean;
}

/**
 * Pure: after attempt `n` of `context` failed with `err`, wait and retry, or give up (a non-retryable error, or the
 * policy's attempts are used up).
 */
export function decideRetry(
  err: unknown,
  n: number,
  context: AttemptContext,
  policy: RetryPolicy,
  isRetryable: (error: unknown) => boolean,
): RetryDecision {
  const message = err instanceof Error ? err.message : String(err);
  if (!context.retryAll && !isRetryable(err))
    return { retry: false, code: err instanceof MicroraidenError ? err.code : 'HANDLER_FAILED', message };
  if (!context.unlimited && n >= policy.maxAttempts)
    return {
      retry: false,
      code: 'HANDLER_RETRIES_EXHAUSTED',
      message: `${n} attempts failed; last: ${message}`,
    };
  return { retry: true, delayMs: backoffDelayMs(n, policy) };
}

const HEARTBEAT_SLICE_MS = 1_000;

/** Keeps a partition's work going: attempts with backoff, heartbeating through the waits. */
export interface Retrier {
  /** Runs `work` until it succeeds, fails non-retryably, or runs out of attempts; throws Interrupted on stop. */
  attempt(
    work: () => Promise<void>,
    context: AttemptContext,
    heartbeat: () => Promise<void>,
    active: () => boolean,
  ): Promise<Outcome>;
}

/**
 * The I/O shell of {@link decideRetry}: runs the work, logs each retry, sleeps in heartbeat-sized slices; `stop`
 * (the consumer stopping) ends a sleep at once, so a long backoff never holds up a shutdown.
 */
export function createRetrier(options: {
  policy: RetryPolicy;
  isRetryable: (error: unknown) => boolean;
  log: NonNullable<KafkaClientOptions['log']>;
  groupId: string;
  stop: AbortSignal;
}): Retrier {
  const interrupted = (active: () => boolean) => options.stop.aborted || !active();

  /** Sleep `ms`, heartbeating so a long backoff does not cost the partition. */
  async function pause(ms: number, heartbeat: () => Promise<void>, active: () => boolean): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (interrupted(active)) throw new Interrupted();
      await sleep(Math.min(HEARTBEAT_SLICE_MS, until - Date.now()), options.stop);
      if (interrupted(active)) throw new Interrupted();
      await heartbeat();
    }
  }

  return {
    async attempt(work, context, heartbeat, active) {
      for (let n = 1; ; n++) {
        try {
          await work();
          return { ok: true };
        } catch (err) {
          if (err instanceof Interrupted) throw err;
          const decision = decideRetry(err, n, context, options.policy, options.isRetryable);
          if (!decision.retry) return { ok: false, code: decision.code, message: decision.message };
          options.log('warn', `${context.what} failed (attempt ${n}), retrying in ${decision.delayMs} ms`, {
            groupId: options.groupId,
            error: err instanceof Error ? err.message : String(err),
          });
          await pause(decision.delayMs, heartbeat, active);
        }
      }
    },
  };
}
