/** A sleep that something else can end early. */
export interface Sleeper {
  sleep(ms: number): Promise<void>;
  /** Ends the sleep in progress, or, when none is, the next one as soon as it starts. */
  wake(): void;
}

/**
 * A sleep that a NOTIFY (or stop) ends early. A NOTIFY that arrives while the relay is busy (its batch had already
 * read the table) is kept for the next sleep, which then returns at once: an idle relay polls slowly, so a lost
 * wake-up would delay that row by a whole idle poll.
 */
export function createSleeper(): Sleeper {
  let wake: (() => void) | undefined;
  let pending = false;
  return {
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        if (pending) {
          pending = false;
          return resolve();
        }
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          if (wake === done) wake = undefined;
          resolve();
        }
        wake = done;
      }),
    wake: () => {
      if (wake) wake();
      else pending = true;
    },
  };
}
