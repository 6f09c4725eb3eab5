import { NotReadyError, publicReason, type DependencyCheck } from '@microraiden/service-kit';

/**
 * Readiness until the watcher's own start-up has succeeded: checking the RPC's chain id against the deployment,
 * migrating, creating topics and joining Kafka. (It follows and disputes as soon as the first two are done: the
 * receiver's defence does not wait for Kafka, readiness does.) Without it a watcher pointed at the wrong chain
 * answers every dependency probe and looks ready while it watches nothing; with it, /health/ready says why it is
 * not.
 */
export class StartupCheck implements DependencyCheck {
  readonly name = 'startup';
  private problem: string | undefined = 'starting';
  private role: 'deciding' | 'leading' | 'standby' = 'deciding';

  /** Start-up step `what` failed with `err` (it is retried): readiness reports it, as far as it is public. */
  failed(what: string, err: unknown): void {
    this.problem = `${what} failed: ${publicReason(err)}`;
  }

  /** Start-up finished: the watcher has joined Kafka (it may have been leading or on standby before). */
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
