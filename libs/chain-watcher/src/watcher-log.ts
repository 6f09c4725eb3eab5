/** Structured log port: the service plugs its logger in. Fields must never contain keys. */
export interface WatcherLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A log that drops everything (tests, tools). */
export const silentLog: WatcherLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
