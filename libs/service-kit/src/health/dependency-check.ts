/** A real dependency a service needs to be ready: Postgres, Kafka, the chain, an upstream. */
export interface DependencyCheck {
  readonly name: string;
  /** Resolve with facts worth showing (latency, block number, ...) or reject with why it is down. */
  check(): Promise<Record<string, string | number | boolean>>;
  /** Release connections the check holds. */
  close?(): Promise<void>;
}

/** Reject with a timeout error if `promise` does not settle within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
