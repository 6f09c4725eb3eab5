import type { SessionLock } from '@microraiden/persistence';
import { sleep } from '@microraiden/service-kit';

/** What {@link leadWhileLocked} tells and runs. */
export interface Leadership {
  /** How often to try for the lock on standby, and to check it is still held while leading. */
  readonly pollMs: number;
  /** The lock could not be taken: another holder (`held`), or an error trying (`error`). */
  onStandby(reason: { held: true } | { held: false; error: Error }): void;
  /** This process holds the lock now and is about to act. */
  onLeading(): void;
  /** Acting ended; `lost` when the lock went with its session rather than by the stop signal. */
  onStepDown(lost: boolean): void;
  /** Acts while leading, until `term` aborts (the lock was lost or the service stops). */
  act(term: AbortSignal): Promise<void>;
}

/**
 * Acts only while holding `lock`, so a second process for the same receiver waits on standby instead of acting
 * twice (publishing, sending transactions from the same key); it takes over when the holder stops or its
 * database session dies. Returns once `stop` aborted, the lock released.
 */
export async function leadWhileLocked(lock: SessionLock, stop: AbortSignal, leadership: Leadership) {
  while (!stop.aborted) {
    const acquired = await lock.tryAcquire().catch((err: Error) => err);
    if (acquired !== true) {
      leadership.onStandby(acquired === false ? { held: true } : { held: false, error: acquired });
      await sleep(leadership.pollMs, stop);
      continue;
    }
    leadership.onLeading();
    const term = new AbortController();
    const ended = AbortSignal.any([stop, term.signal]);
    await Promise.all([leadership.act(ended), keepLock(lock, ended, term, leadership.pollMs)]);
    leadership.onStepDown(!stop.aborted);
  }
  await lock.release();
}

/** Ends the term, and with it every acting loop, as soon as the lock's session is gone. */
async function keepLock(lock: SessionLock, ended: AbortSignal, term: AbortController, pollMs: number) {
  while (!ended.aborted) {
    await sleep(pollMs, ended);
    if (!ended.aborted && !(await lock.stillHeld())) term.abort();
  }
}
