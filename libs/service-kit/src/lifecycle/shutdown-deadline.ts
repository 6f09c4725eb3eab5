/** Where the shutdown deadline reports; a pino or Nest logger fits. */
export interface ShutdownLog {
  log(message: string): void;
  error(message: string): void;
}

/** Default bound on a graceful stop: draining requests, leaving the consumer group, flushing the outbox. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 15_000;

/**
 * On the first SIGTERM or SIGINT, logs that the service is stopping and arms a deadline: if the graceful stop
 * (Nest's shutdown hooks) has not ended the process by then, it logs so and exits 1. Without it a replica whose
 * Kafka group leave hangs (two replicas stopping together) waits for SIGKILL, silently. Returns a disarm function.
 */
export function armShutdownDeadline(
  name: string,
  log: ShutdownLog,
  timeoutMs: number = DEFAULT_SHUTDOWN_TIMEOUT_MS,
  exit: (code: number) => void = (code) => process.exit(code),
  signals: NodeJS.EventEmitter = process,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  const onSignal = (signal: string): void => {
    log.log(`${name}: ${signal} received, stopping (at most ${timeoutMs} ms)`);
    timer = setTimeout(() => {
      log.error(`${name}: graceful stop did not finish within ${timeoutMs} ms, exiting`);
      exit(1);
    }, timeoutMs);
    // The deadline must not be what keeps a finished process alive.
    timer.unref();
  };
  signals.once('SIGTERM', onSignal);
  signals.once('SIGINT', onSignal);
  return () => {
    signals.off('SIGTERM', onSignal);
    signals.off('SIGINT', onSignal);
    if (timer !== undefined) clearTimeout(timer);
  };
}
