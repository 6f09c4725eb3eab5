/** Wall-clock time in milliseconds, injected so timeouts can be tested without waiting. */
export type Clock = () => number;

/** The system clock. */
export const systemClock: Clock = () => Date.now();
