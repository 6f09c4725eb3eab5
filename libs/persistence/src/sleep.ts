/**
 * Waits `ms`, or less: resolves at once when `stop` aborts (or has aborted), so a loop sleeping between attempts
 * notices a shutdown without waiting out its back-off. Never rejects.
 */
export function sleep(ms: number, stop: AbortSignal): Promise<void> {
  if (stop.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stop.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop.addEventListener('abort', done, { once: true });
  });
}
