// What the stack does when one of its services dies on its own: the decision, apart from the processes, so the
// backoff is tested without waiting for it (restart-policy.spec.ts). The shell is service-supervisor.ts.

/** How a dead service is brought back. */
export interface RestartPolicy {
  /** `--exit-on-failure`: the first death stops the whole stack (exit 1) instead of a restart. */
  readonly exitOnFailure: boolean;
  /** Delay before the first restart of a crash series. */
  readonly initialDelayMs: number;
  /** Cap of the doubling delay: a service that keeps crashing is retried this often, forever. */
  readonly maxDelayMs: number;
  /** A run at least this long ends a crash series: its death counts as a first one again. */
  readonly stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  exitOnFailure: false,
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  stableAfterMs: 60_000,
};

/** One death, and how many deaths came right before it (each within `stableAfterMs` of its start). */
export interface Death {
  /** How long the process ran (or tried to get ready) before it died. */
  readonly ranMs: number;
  /** Deaths in the current crash series before this one. */
  readonly previousFailures: number;
}

export type RestartDecision =
  | { readonly action: 'restart'; readonly delayMs: number; readonly failures: number }
  | { readonly action: 'stop-stack' };

/**
 * Restart after `initialDelayMs`, doubling for each death in a row up to `maxDelayMs`; a service that ran for
 * `stableAfterMs` starts a new series. `failures` is the series' length including this death (the next
 * `previousFailures`).
 */
export function decideRestart(death: Death, policy: RestartPolicy): RestartDecision {
  if (policy.exitOnFailure) return { action: 'stop-stack' };
  const failures = death.ranMs >= policy.stableAfterMs ? 1 : death.previousFailures + 1;
  const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (failures - 1));
  return { action: 'restart', delayMs, failures };
}
