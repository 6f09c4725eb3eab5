import type { DependencyCheck } from '../health/dependency-check';

/**
 * What every service runs besides its HTTP routes, in one shape: the kit's {@link ServiceLifecycle} calls
 * `start` when the app initialises and `stop` when it shuts down.
 */
export interface ServiceRuntime {
  /**
   * Starts the service's work. Resolves when the app may listen: what must succeed before serving (a migration
   * the gateway cannot accept payments without) is awaited, what may wait for a dependency (joining Kafka,
   * following the chain) runs on in the background until `stop` aborts. A rejection fails the start (bad
   * configuration, a deployment file that cannot be read).
   */
  start(stop: AbortSignal): Promise<void>;
  /** Called after `stop` aborted: waits for the background work to end and closes connections. */
  stop(): Promise<void>;
  /**
   * The dependencies `/health/ready` checks (`HealthModule.forRuntime`), built once when the app is created; a
   * check the runtime updates (a start-up step, a lag) is an object it shares with this list.
   */
  readiness?(): DependencyCheck[];
}

/** The Nest token of the service's runtime (`{ provide: SERVICE_RUNTIME, useExisting: MyRuntime }`). */
export const SERVICE_RUNTIME = Symbol('SERVICE_RUNTIME');
