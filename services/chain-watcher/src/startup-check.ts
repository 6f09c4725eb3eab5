import { NotReadyError, publicReason, type DependencyCheck } from '@microraiden/service-kit';

/**
 * Readiness until the watcher's own start-up has succeeded: checking the RPC's chain id against the deployment
 * and migrating. Kafka is not part of it (the watcher acts without Kafka; the `kafka` check reports it). Without it a watcher pointed at the wrong chain answers every
 * dependency probe and looks ready while it watches nothing; with it, /health/ready says why it is not.
 */
export class StartupCheck implements DependencyCheck {
  readonly name = 'startup';
  private problem: string | undefined = 'starting';
  private role: 'deciding' | 'leading' | 'standby' = 'deciding';

  /** Start-up step `what` failed with `err` (it is retried): readiness reports it, as far as it is public. */
  failed(what: string, err: unknown): void {
    this.problem = `${what} failed: ${publicReason(err)}`;
  }

  /** Start-up finished: the watcher is about to lead or wait on standby. */
  succeeded(): void {
    this.problem = undefined;
  }

  /** Whether this watcher holds the receiver lock and acts, or waits for it (both are ready). */
  acting(role: 'leading' | 'standby'): void {
    this.role = role;
  }

  async check(): Promise<Record<string, string>> {
    if (this.problem !== undefined) throw new NotReadyError(this.problem);
    return { role: this.role };
  }
}
