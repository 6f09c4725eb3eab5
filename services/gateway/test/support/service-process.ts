import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort, repoRoot, waitFor } from '@microraiden/testing';

/** A service running as its own OS process (`node -r @swc-node/register services/<name>/src/main.ts`). */
export interface ServiceProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** stderr and stdout so far (for failure messages). */
  output(): string;
  /** SIGKILL: no shutdown hook runs, connections drop mid-transaction, nothing answers any more. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/**
 * Spawns `services/<service>/src/main.ts` with `defaults` overridden by `env`, on a fresh port unless PORT is
 * given, and waits until its /health/ready answers 200 (which for the gateway includes following Kafka).
 */
export async function spawnService(
  service: 'gateway' | 'chain-watcher' | 'ledger',
  env: Record<string, string>,
  defaults: Record<string, string> = {},
): Promise<ServiceProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const root = repoRoot();
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(root, `services/${service}/src/main.ts`)],
    {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'warn', ...defaults, ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  let lastReady = '';
  await waitFor(
    `${service} process on ${url}`,
    async () => {
      if (exited()) {
        await new Promise((r) => setTimeout(r, 300)); // let the last output arrive
        throw new Error(`${service} process exited early (${child.exitCode ?? child.signalCode})`);
      }
      try {
        const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(4_000) });
        lastReady = await res.text();
        return res.status === 200;
      } catch {
        return false;
      }
    },
    { timeoutMs: 90_000, intervalMs: 250 },
  ).catch((err: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${err.message}\nlast readiness: ${lastReady}\noutput:\n${output.slice(-4000)}`);
  });
  const waitExit = () =>
    new Promise<void>((resolve) => {
      if (exited()) return resolve();
      child.once('exit', () => resolve());
    });
  return {
    url,
    port,
    child,
    output: () => output,
    async kill9() {
      child.kill('SIGKILL');
      await waitExit();
    },
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await waitExit();
      clearTimeout(timer);
    },
  };
}
