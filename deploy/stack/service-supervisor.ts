import { setTimeout as sleep } from 'node:timers/promises';
import { decideRestart, type RestartPolicy } from './restart-policy';
import { lastLines, ServiceProcess, type ServiceSpec } from './service-process';

/** How many log lines a death report shows. */
const TAIL_LINES = 20;

/** What the supervisor tells the stack. */
export interface SupervisorEvents {
  readonly log: (line: string) => void;
  /** A (re)started process: its pid must be recorded for stopLeftovers. */
  readonly started: () => void;
  /** `--exit-on-failure` and a service died: the stack stops, exit 1. */
  readonly fatal: (reason: string) => void;
}

/**
 * One service of the stack, kept running: once it was ready, a death the stack did not ask for is reported at once
 * with its log's tail and the service is started again after decideRestart's backoff (or the stack stops, with
 * `--exit-on-failure`). Before it is first ready a death is the start-up's failure (waitReady throws), as before.
 */
export class ServiceSupervisor {
  private current!: ServiceProcess;
  private supervising = false;
  private stopped = false;
  private failures = 0;
  /** Restarts so far, for tests and the stop summary. */
  restarts = 0;

  private constructor(
    readonly spec: ServiceSpec,
    private readonly repo: string,
    private readonly logDir: string,
    private readonly portVariable: string,
    private readonly policy: RestartPolicy,
    private readonly events: SupervisorEvents,
  ) {}

  /** Starts `spec` (STACK_PORT_IN_USE when its port is taken); `waitReady` then arms the supervision. */
  static async start(
    spec: ServiceSpec,
    options: {
      repo: string;
      logDir: string;
      portVariable: string;
      policy: RestartPolicy;
      events: SupervisorEvents;
    },
  ): Promise<ServiceSupervisor> {
    const supervisor = new ServiceSupervisor(
      spec,
      options.repo,
      options.logDir,
      options.portVariable,
      options.policy,
      options.events,
    );
    await supervisor.spawn();
    return supervisor;
  }

  get pid(): number | undefined {
    return this.current.pid;
  }

  get url(): string {
    return this.current.url;
  }

  get logFile(): string {
    return this.current.logFile;
  }

  /** Waits for the ready path, then supervises: from here on a death means a restart. */
  async waitReady(timeoutMs: number): Promise<number> {
    const ms = await this.current.waitReady(timeoutMs);
    this.supervising = true;
    return ms;
  }

  /** Stops the process (SIGTERM, SIGKILL after `graceMs`) and any restart still pending. */
  async stop(graceMs: number): Promise<'exited' | 'killed'> {
    this.stopped = true;
    return this.current.stop(graceMs);
  }

  private async spawn(): Promise<void> {
    const child = await ServiceProcess.start(this.spec, this.repo, this.logDir, this.portVariable);
    this.current = child;
    this.events.started();
    void child.whenExited().then(() => this.died(child));
  }

  private died(child: ServiceProcess): void {
    if (this.stopped || !this.supervising || child !== this.current) return;
    const ranMs = Date.now() - child.startedAt;
    const { log } = this.events;
    log(
      `!! ${this.spec.name} died (${child.exitStatus}) after ${(ranMs / 1000).toFixed(1)} s; last lines of ${child.logFile}:\n` +
        lastLines(child.logFile, TAIL_LINES)
          .split('\n')
          .map((line) => `   | ${line}`)
          .join('\n'),
    );
    const decision = decideRestart({ ranMs, previousFailures: this.failures }, this.policy);
    if (decision.action === 'stop-stack') {
      this.events.fatal(`${this.spec.name} died (${child.exitStatus}) and --exit-on-failure is set`);
      return;
    }
    this.failures = decision.failures;
    log(
      `   restarting ${this.spec.name} in ${(decision.delayMs / 1000).toFixed(1)} s (failure ${decision.failures} in a row)`,
    );
    void this.restartAfter(decision.delayMs);
  }

  private async restartAfter(delayMs: number): Promise<void> {
    await sleep(delayMs);
    if (this.stopped) return;
    this.supervising = false;
    try {
      await this.spawn();
      this.restarts++;
      const ms = await this.waitReady(this.policy.maxDelayMs * 4);
      this.events.log(`   ${this.spec.name} ready again on ${this.url} (${(ms / 1000).toFixed(1)} s)`);
    } catch (err) {
      if (this.stopped) return;
      // Not ready (it died again, or its port is taken): one more failure of the series, decided like a death.
      this.events.log(`!! ${this.spec.name} did not come back: ${(err as Error).message.split('\n')[0]}`);
      // Stopped unsupervised (its exit is not a second death), then judged as one more failure of the series.
      if (this.current.exitStatus === undefined) await this.current.stop(5_000);
      this.supervising = true;
      this.died(this.current);
    }
  }
}
