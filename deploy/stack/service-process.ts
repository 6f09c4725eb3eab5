import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StackError } from './stack-error';

/** One TypeScript entry point the stack runs from source (or a program), with its port and environment. */
export interface ServiceSpec {
  readonly name: string;
  /** Repository-relative .ts file, run with `node -r @swc-node/register`. */
  readonly entry: string;
  /** A program and its arguments to run instead of `entry` (Prometheus). */
  readonly command?: readonly [string, ...string[]];
  readonly port: number;
  readonly env: Readonly<Record<string, string>>;
  /** Path polled until it answers 200. */
  readonly readyPath: string;
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The last `count` lines of a log file, for a message that should show why a service failed. */
export function lastLines(file: string, count: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A child service in its own process group, its stdout and stderr appended to `.run/logs/<name>.log`. */
export class ServiceProcess {
  readonly logFile: string;
  private readonly child: ChildProcess;
  private exited: Promise<number | null>;
  private exitCode: number | null | undefined;
  private exitSignal: NodeJS.Signals | null = null;
  /** When the process was spawned (ms since the epoch). */
  readonly startedAt = Date.now();

  private constructor(
    readonly spec: ServiceSpec,
    repo: string,
    logDir: string,
  ) {
    this.logFile = path.join(logDir, `${spec.name}.log`);
    const fd = openSync(this.logFile, 'a');
    try {
      const [program, ...args] = spec.command ?? [process.execPath, '-r', '@swc-node/register', spec.entry];
      this.child = spawn(program, args, {
        cwd: repo,
        env: { ...process.env, ...spec.env },
        // Its own process group: Ctrl-C in the terminal reaches only the orchestrator, which then stops
        // the children in order, and a signal to the group also reaches anything the child forked.
        detached: true,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exitSignal = signal;
        this.exitCode = code ?? (signal ? null : 0);
        resolve(this.exitCode);
      }),
    );
  }

  /** Starts `spec` unless its port is taken (then STACK_PORT_IN_USE, naming the variable to change). */
  static async start(
    spec: ServiceSpec,
    repo: string,
    logDir: string,
    portVariable: string,
  ): Promise<ServiceProcess> {
    if (await portInUse(spec.port)) {
      throw new StackError(
        'STACK_PORT_IN_USE',
        `port ${spec.port} for ${spec.name} is already in use: stop whatever holds it or set ${portVariable}`,
        { service: spec.name, port: spec.port },
      );
    }
    return new ServiceProcess(spec, repo, logDir);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.spec.port}`;
  }

  /** Polls the ready path until 200; fails fast if the process exits, or after `timeoutMs`, naming the log. */
  async waitReady(timeoutMs: number): Promise<number> {
    const started = Date.now();
    let lastAnswer = 'no answer yet';
    while (Date.now() - started < timeoutMs) {
      if (this.exitCode !== undefined) {
        throw new StackError(
          'STACK_SERVICE_FAILED',
          `${this.spec.name} exited (code ${this.exitCode}) before it was ready; see ${this.logFile}:\n${lastLines(this.logFile, 15)}`,
          { service: this.spec.name },
        );
      }
      try {
        const response = await fetch(`${this.url}${this.spec.readyPath}`, {
          signal: AbortSignal.timeout(3000),
        });
        if (response.status === 200) return Date.now() - started;
        lastAnswer = `HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`;
      } catch (err) {
        lastAnswer = (err as Error).message;
      }
      await sleep(500);
    }
    throw new StackError(
      'STACK_SERVICE_FAILED',
      `${this.spec.name} was not ready at ${this.url}${this.spec.readyPath} within ${timeoutMs / 1000} s (last: ${lastAnswer}); see ${this.logFile}`,
      { service: this.spec.name },
    );
  }

  /** How it ended, for a person: `exit code 1`, `signal SIGKILL`; undefined while it runs. */
  get exitStatus(): string | undefined {
    if (this.exitCode === undefined) return undefined;
    return this.exitSignal ? `signal ${this.exitSignal}` : `exit code ${this.exitCode}`;
  }

  /** Resolves with the exit code (null after a signal) once the process has exited, however it ended. */
  whenExited(): Promise<number | null> {
    return this.exited;
  }

  /** SIGKILL to the process group, as a crash or an OOM kill would end it; resolves once it is gone. */
  async kill(): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined || this.exitCode !== undefined) return;
    signalGroup(pid, 'SIGKILL');
    await this.exited;
  }

  /** SIGTERM to the process group, up to `graceMs` to exit, then SIGKILL. Resolves once it is gone. */
  async stop(graceMs: number): Promise<'exited' | 'killed'> {
    const pid = this.child.pid;
    if (pid === undefined || this.exitCode !== undefined) return 'exited';
    signalGroup(pid, 'SIGTERM');
    const outcome = await Promise.race([
      this.exited.then(() => 'exited' as const),
      sleep(graceMs, 'timeout' as const),
    ]);
    if (outcome === 'exited') {
      signalGroup(pid, 'SIGKILL'); // anything the child forked and left behind
      return 'exited';
    }
    signalGroup(pid, 'SIGKILL');
    await this.exited;
    return 'killed';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
