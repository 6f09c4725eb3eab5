/**
 * A dependency the paywall needs to be ready, in libs/service-kit's DependencyCheck shape (the package does not
 * depend on the kit): an app adds these to its own readiness, a Nest service passes them to HealthModule.
 */
export interface PaywallCheck {
  readonly name: string;
  /** Resolves with facts worth showing (latency, broker count) or rejects with why the dependency is down. */
  check(): Promise<Record<string, string | number | boolean>>;
  /** Releases the connections the check holds. */
  close?(): Promise<void>;
}

/** One check's answer: its facts, or a reason safe to show anyone (an error code, never a host or a message). */
export type CheckOutcome =
  | ({ readonly status: 'up' } & Readonly<Record<string, string | number | boolean>>)
  | { readonly status: 'down'; readonly reason: string };

/** What {@link checkReadiness} answers: `ready` when every check passed. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, CheckOutcome>>;
}

const ERROR_CODE = /^[A-Z][A-Z0-9_]{1,40}$/;

/** A reason for a failed check that names no host, port or driver message: readiness is often public. */
export function publicCheckReason(err: unknown): string {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    const code = (e as Error & { code?: unknown }).code;
    if (typeof code === 'string' && ERROR_CODE.test(code)) return `unavailable (${code})`;
  }
  return 'unavailable';
}

const TIMED_OUT = Symbol('timed out');

async function outcomeOf(check: PaywallCheck, timeoutMs: number): Promise<CheckOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  try {
    const facts = await Promise.race([check.check(), timeout]);
    if (facts === TIMED_OUT) return { status: 'down', reason: `no answer within ${timeoutMs} ms` };
    return { status: 'up', ...facts };
  } catch (err) {
    return { status: 'down', reason: publicCheckReason(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once, each bounded by `timeoutMs`. */
export async function checkReadiness(
  checks: readonly PaywallCheck[],
  timeoutMs: number,
): Promise<ReadinessReport> {
  const outcomes = await Promise.all(
    checks.map(async (c) => [c.name, await outcomeOf(c, timeoutMs)] as const),
  );
  return {
    ready: outcomes.every(([, outcome]) => outcome.status === 'up'),
    checks: Object.fromEntries(outcomes),
  };
}
