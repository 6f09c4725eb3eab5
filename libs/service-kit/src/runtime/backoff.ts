/** A capped exponential back-off: `initialMs` after the first failure, doubling per failure up to `maxMs`. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
  /**
   * Spread each delay over [75 %, 100 %] so replicas that failed together do not retry in lockstep. Default false
   * (a single process retrying its own start-up has no one to collide with).
   */
  jitter?: boolean;
}

/** The delay after `failures` consecutive failures (1 = the first). */
export function backoffMs(failures: number, backoff: Backoff): number {
  const exponential = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, failures - 1));
  return backoff.jitter === true ? Math.round(exponential * (0.75 + Math.random() * 0.25)) : exponential;
}
