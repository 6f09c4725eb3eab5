import { MicroraidenError } from '@microraiden/errors';

/** A real dependency a service needs to be ready: Postgres, Kafka, the chain, an upstream. */
export interface DependencyCheck {
  readonly name: string;
  /**
   * Resolve with facts worth showing (latency, block number, ...) or reject with why it is down. Readiness is
   * public (the gateway's is reachable through the front): only a {@link NotReadyError}'s message is shown there;
   * any other error shows as its code, and its message (which may name hosts and ports) goes to the log.
   */
  check(): Promise<Record<string, string | number | boolean>>;
  /** Release connections the check holds. */
  close?(): Promise<void>;
}

/** Why a dependency is not ready, in words written for anyone to read: no address, host name or port. */
export class NotReadyError extends MicroraidenError<'NOT_READY'> {
  override readonly name = 'NotReadyError';

  constructor(message: string) {
    super('NOT_READY', message);
  }
}

const ERROR_CODE = /^[A-Z][A-Z0-9_]{1,40}$/;

/**
 * What a readiness answer may say about a failed check: a NotReadyError's message, else the error's (or its
 * cause's) code such as ECONNREFUSED, else nothing specific. Never the raw message of a driver or the network.
 */
export function publicReason(err: unknown): string {
  if (err instanceof NotReadyError) return err.message;
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    const code = (e as Error & { code?: unknown }).code;
    if (typeof code === 'string' && ERROR_CODE.test(code)) return `unavailable (${code})`;
  }
  return 'unavailable (the service log says why)';
}

/** Reject with a NotReadyError if `promise` does not settle within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NotReadyError(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
