import { type Backoff, backoffMs } from './backoff';
import { sleep } from '@microraiden/persistence';

/** Options of {@link every}. */
export interface EveryOptions {
  /** Ends the loop: the pending wait resolves at once and no round starts after it aborted. */
  stop: AbortSignal;
  /** Pause after a round that succeeded. */
  intervalMs: number;
  /** Pause after failing rounds (consecutive failures back off). Default: `intervalMs`. */
  backoff?: Backoff;
  /** Told of each failed round with the number of failures in a row; the loop goes on. */
  onError: (err: unknown, failures: number) => void;
}

/** Runs `work`, pauses, and again, until `stop` aborts; a failed round is reported and the loop goes on. */
export async function every(work: () => Promise<void>, options: EveryOptions): Promise<void> {
  let failures = 0;
  while (!options.stop.aborted) {
    try {
      await work();
      failures = 0;
    } catch (err) {
      failures += 1;
      options.onError(err, failures);
    }
    const pause =
      failures === 0 || options.backoff === undefined
        ? options.intervalMs
        : backoffMs(failures, options.backoff);
    await sleep(pause, options.stop);
  }
}
