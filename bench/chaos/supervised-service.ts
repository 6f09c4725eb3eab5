import { readFileSync } from 'node:fs';
import { ServiceProcess, type ServiceSpec } from '../../deploy/stack/service-process';

/** A process that ended without the bench asking it to. */
export interface ProcessDeath {
  readonly service: string;
  readonly at: number;
  readonly exitCode: number | null;
  /** The log's last error-looking line: the evidence of why. */
  readonly cause: string;
}

const RESTART_DELAY_MS = 1_000;
const READY_TIMEOUT_MS = 120_000;

function lastErrorLine(logFile: string, fromByte: number): string {
  try {
    const text = readFileSync(logFile, 'utf8').slice(fromByte);
    const lines = text.split('\n').filter((line) => /error|unhandled|fatal/i.test(line));
    return (lines[lines.length - 1] ?? text.trimEnd().split('\n').pop() ?? '').slice(0, 300);
  } catch {
    return '(no log)';
  }
}

function logSize(logFile: string): number {
  try {
    return readFileSync(logFile).length;
  } catch {
    return 0;
  }
}

/**
 * One of the stack's services under a supervisor, as an orchestrator would run it: a death the bench did not
 * cause is recorded (with the log line that explains it) and the service is started again, so later scenarios
 * still have a whole stack. `kill()` is the bench's own SIGKILL: not a death, and not restarted until asked.
 */
export class SupervisedService {
  readonly deaths: ProcessDeath[] = [];
  private current?: ServiceProcess;
  private killedOnPurpose = false;
  private stopped = false;
  private logOffset = 0;

  constructor(
    readonly spec: ServiceSpec,
    private readonly repo: string,
    private readonly logDir: string,
    private readonly log: (line: string) => void,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.spec.port}`;
  }

  get pid(): number | undefined {
    return this.current?.pid;
  }

  /** Starts the process and waits for its ready path. */
  async start(): Promise<void> {
    this.killedOnPurpose = false;
    const child = await ServiceProcess.start(this.spec, this.repo, this.logDir, 'its port');
    this.current = child;
    this.logOffset = logSize(child.logFile);
    void child.whenExited().then((code) => this.exited(child, code));
    await child.waitReady(READY_TIMEOUT_MS);
  }

  /** SIGKILL, on purpose; `start()` brings it back. */
  async kill(): Promise<void> {
    this.killedOnPurpose = true;
    await this.current?.kill();
  }

  /** SIGTERM then SIGKILL, for the end of the run. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.current?.stop(10_000);
  }

  private exited(child: ServiceProcess, code: number | null): void {
    if (child !== this.current || this.killedOnPurpose || this.stopped) return;
    const death = {
      service: this.spec.name,
      at: Date.now(),
      exitCode: code,
      cause: lastErrorLine(child.logFile, this.logOffset),
    };
    this.deaths.push(death);
    this.log(`!! ${this.spec.name} died (exit ${code}): ${death.cause}; restarting`);
    setTimeout(() => {
      if (this.stopped || child !== this.current) return;
      this.start().catch((err: Error) => this.log(`!! ${this.spec.name} did not come back: ${err.message}`));
    }, RESTART_DELAY_MS);
  }
}
