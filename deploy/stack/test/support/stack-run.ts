import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { portInUse } from '../../service-process';

const repo = path.resolve(__dirname, '../../../..');

/** The stack's default ports (README): front, demo upstream, gateways, ledger, chain-watcher, Prometheus. */
export const STACK_PORTS = [8080, 8081, 3000, 3003, 3001, 3002, 9090] as const;

/** Process ids of `deploy/stack/stack.ts` runs other than this process's children (read from /proc). */
export function otherStackRuns(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline[0]?.endsWith('node') && cmdline.some((arg) => arg.endsWith('deploy/stack/stack.ts')))
        pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/**
 * Wait until the stack's ports are free and no other stack run is in progress (a stack start stops the services
 * an earlier run left in .run/stack.pids, and refuses to start while another run is alive).
 * Returns what is still in the way after `timeoutMs`.
 */
export async function waitForStackSlot(timeoutMs: number): Promise<{ ports: number[]; runs: number[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ports: number[] = [];
    for (const port of STACK_PORTS) if (await portInUse(port)) ports.push(port);
    const runs = otherStackRuns();
    if ((ports.length === 0 && runs.length === 0) || Date.now() > deadline) return { ports, runs };
    await sleep(2_000);
  }
}

// Infrastructure this checkout already runs belongs to someone else's session: the stack must leave it up.
function infraAlreadyRunning(): boolean {
  return ['anvil.sh', 'kafka.sh'].some(
    (script) =>
      spawnSync('bash', [path.join(repo, 'deploy/local', script), 'status'], { stdio: 'ignore' }).status ===
      0,
  );
}

/** What the stack prints once every service answered /health/ready. */
export interface StackUrls {
  front: string;
  gateways: [string, string];
  ledger: string;
  /** Needed by the gateways' management API and the ledger's API and operator page. */
  operatorToken: string;
  rpcUrl: string;
  databaseUrl: string;
  deploymentFile: string;
  /** Absent when Prometheus is not installed. */
  prometheus?: string;
}

/** `npm run stack` (the same command, without npm in between so SIGINT reaches it directly), in the background. */
export class StackRun {
  private output = '';
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /**
   * Start the stack; `--keep-infra` when the infrastructure was already running before. `ports` are stack
   * options from the environment (FRONT_PORT, ...) to use instead of the defaults.
   */
  static start(ports: Record<string, string> = {}): StackRun {
    // The test runner's KAFKA_BROKERS/DATABASE_URL/RPC_URL point at its own infrastructure, not the stack's.
    const { KAFKA_BROKERS: _k, DATABASE_URL: _d, RPC_URL: _r, ...env } = process.env;
    const args = ['-r', '@swc-node/register', 'deploy/stack/stack.ts'];
    if (infraAlreadyRunning()) args.push('--keep-infra');
    return new StackRun(
      spawn(process.execPath, args, {
        cwd: repo,
        env: { ...env, ...ports },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
  }

  /** Everything the stack printed so far. */
  log(): string {
    return this.output;
  }

  /** Wait for the `5/5 ready` block and read the URLs it prints; fails as soon as the stack exits. */
  async ready(timeoutMs: number): Promise<StackUrls> {
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    void this.exited.then((code) => (exitCode = code));
    while (!/running; Ctrl-C stops everything/.test(this.output)) {
      if (exitCode !== undefined)
        throw new Error(`the stack exited (${exitCode}):\n${this.output.slice(-3000)}`);
      if (Date.now() > deadline)
        throw new Error(`the stack was not ready in time:\n${this.output.slice(-3000)}`);
      await sleep(250);
    }
    const pick = (pattern: RegExp) => {
      const match = pattern.exec(this.output);
      if (!match) throw new Error(`the stack did not print ${pattern}`);
      return match.slice(1);
    };
    const [gateway1, gateway2] = pick(/^\s+gateway replicas\s+(\S+), (\S+)/m);
    return {
      front: pick(/^\s+front \((?:haproxy|round robin)\)\s+(\S+)/m)[0]!,
      gateways: [gateway1!, gateway2!],
      ledger: pick(/^\s+ledger\s+(\S+)\/api\/1\/channels/m)[0]!,
      operatorToken: pick(/^\s+operator token\s+(\S+)/m)[0]!,
      rpcUrl: pick(/^\s+anvil (http\S+)\s+Kafka/m)[0]!,
      databaseUrl: pick(/services' database: (\S+)/)[0]!,
      deploymentFile: path.join(repo, pick(/^\s+deployment\s+(\S+) \(manager/m)[0]!),
      ...(/^\s+prometheus\s+http/m.test(this.output)
        ? { prometheus: pick(/^\s+prometheus\s+(http\S+)/m)[0]! }
        : {}),
    };
  }

  /** Ctrl-C: SIGINT, then the exit code (null: it did not exit within `timeoutMs`). */
  async interrupt(timeoutMs: number): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill('SIGINT');
    return Promise.race([this.exited, sleep(timeoutMs).then(() => null)]);
  }

  /** Last resort after a failed test: the stack's own process only (it stops its children on SIGTERM). */
  async ensureStopped(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if ((await this.interrupt(60_000)) === null) this.child.kill('SIGKILL');
  }
}
