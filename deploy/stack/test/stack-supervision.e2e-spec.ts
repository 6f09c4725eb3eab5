import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client as Postgres } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@microraiden/testing';
import { portInUse } from '../service-process';

// The real `npm run stack` (npm, then node: no `sh -c` layer in between) on free ports with its own Kafka and
// anvil: a gateway replica SIGKILLed is reported at once with its log's tail and restarted; then SIGINT to the
// npm process stops every process of the tree and the infrastructure it started.
const repo = path.resolve(__dirname, '../../..');

/** Every descendant of `pid` (read from /proc). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const child of children.get(parent) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/\) Z /.test(safeRead(`/proc/${pid}/stat`));
function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

describe('npm run stack: supervision and SIGINT', () => {
  let npm: ChildProcess | undefined;
  let output = '';
  let exited: Promise<number | null>;
  let infraDir: string;
  let ports: Record<string, string>;
  let treeWhileRunning: number[] = [];

  const infraEnv = () => ({
    ...ports,
    KAFKA_RUN_DIR: path.join(infraDir, 'kafka'),
    KAFKA_JVM_OPTS: '-XX:TieredStopAtLevel=1',
    ANVIL_RUN_DIR: path.join(infraDir, 'anvil'),
    ANVIL_STATE_FILE: 'none',
  });

  const waitFor = async (pattern: RegExp, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(output)) {
      if (npm?.exitCode !== null || Date.now() > deadline)
        throw new Error(`no ${pattern} in the stack's output:\n${output.slice(-4000)}`);
      await sleep(250);
    }
  };

  afterAll(async () => {
    if (npm && npm.exitCode === null) {
      npm.kill('SIGINT');
      await Promise.race([exited, sleep(60_000)]);
    }
    for (const pid of treeWhileRunning) if (alive(pid)) process.kill(pid, 'SIGKILL');
    // A stack that did not stop did not stop its Kafka and anvil either (no-ops when they are gone).
    if (infraDir)
      spawnSync('bash', [path.join(repo, 'deploy/local/down.sh')], {
        env: { ...process.env, ...infraEnv() },
        stdio: 'ignore',
      });
    const database = /services' database: (\S+)/.exec(output)?.[1];
    if (database) {
      const name = new URL(database).pathname.slice(1);
      const admin = new Postgres({ connectionString: database.replace(/\/[^/]+$/, '/postgres') });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => admin.end());
    }
    if (infraDir) rmSync(infraDir, { recursive: true, force: true });
  });

  it('starts on free ports with its own Kafka and anvil', async () => {
    infraDir = mkdtempSync(path.join(tmpdir(), 'stack-supervision-'));
    const free = await Promise.all(Array.from({ length: 9 }, () => freePort()));
    ports = {
      FRONT_PORT: String(free[0]),
      UPSTREAM_PORT: String(free[1]),
      GATEWAY_PORTS: `${free[2]},${free[3]}`,
      LEDGER_PORT: String(free[4]),
      CHAIN_WATCHER_PORT: String(free[5]),
      PROMETHEUS_PORT: String(free[6]),
      KAFKA_PORT: String(free[7]),
      KAFKA_CONTROLLER_PORT: String(free[8]),
      ANVIL_PORT: String(await freePort()),
      COMPLETION_PORT: String(await freePort()),
    };
    // The runner's own infrastructure variables are not the stack's; its Kafka and anvil live in infraDir.
    const { KAFKA_BROKERS: _k, DATABASE_URL: _d, RPC_URL: _r, ...env } = process.env;
    npm = spawn('npm', ['run', 'stack'], {
      cwd: repo,
      env: {
        ...env,
        ...ports,
        ...infraEnv(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    npm.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) => npm!.once('exit', (code) => resolve(code)));
    await waitFor(/running; Ctrl-C stops everything/, 300_000);
    treeWhileRunning = descendants(npm.pid!);
    expect(treeWhileRunning.length).toBeGreaterThanOrEqual(6);
    // No shell between npm and the stack: SIGINT to npm reaches node itself.
    const stackPid = Number(readFileSync(path.join(repo, '.run/stack.pid'), 'utf8').trim());
    expect(readFileSync(`/proc/${stackPid}/stat`, 'utf8')).toContain(` ${npm.pid} `);
  }, 330_000);

  it('reports a SIGKILLed gateway replica with its log tail and restarts it', async () => {
    expect(npm?.exitCode, 'the stack did not start').toBeNull();
    const pids = JSON.parse(readFileSync(path.join(repo, '.run/stack.pids'), 'utf8')) as number[];
    // Start order: demo-upstream, gateway-1, gateway-2, ledger, chain-watcher, front, prometheus.
    const gateway1 = pids[1]!;
    process.kill(gateway1, 'SIGKILL');
    await waitFor(
      /!! gateway-1 died \(signal SIGKILL\) after [\d.]+ s; last lines of \S+gateway-1\.log:\n {3}\| /,
      10_000,
    );
    await waitFor(/restarting gateway-1 in 1\.0 s \(failure 1 in a row\)/, 5_000);
    await waitFor(/gateway-1 ready again on http:\/\/127\.0\.0\.1:\d+/, 150_000);
    console.log(output.slice(output.indexOf('!! gateway-1 died')).split('\n').slice(0, 30).join('\n'));
    const [port1] = ports.GATEWAY_PORTS!.split(',');
    expect((await fetch(`http://127.0.0.1:${port1}/health/ready`)).status).toBe(200);
    const restartedPids = JSON.parse(readFileSync(path.join(repo, '.run/stack.pids'), 'utf8')) as number[];
    expect(restartedPids[1]).not.toBe(gateway1);
    treeWhileRunning = [...new Set([...treeWhileRunning, ...descendants(npm!.pid!)])];
  }, 180_000);

  it('stops every process of the tree on SIGINT to the npm process', async () => {
    expect(npm?.exitCode, 'the stack did not start').toBeNull();
    npm!.kill('SIGINT');
    const code = await Promise.race([exited, sleep(120_000).then(() => 'timeout' as const)]);
    expect(code, output.slice(-3000)).toBe(0);
    // The stack stops its services one by one; the infrastructure scripts stop Kafka and anvil.
    await sleep(1_000);
    expect(treeWhileRunning.filter(alive), 'processes still running').toEqual([]);
    for (const port of Object.values(ports).flatMap((p) => p.split(',')))
      expect(await portInUse(Number(port)), `port ${port} still open`).toBe(false);
  }, 150_000);
});
