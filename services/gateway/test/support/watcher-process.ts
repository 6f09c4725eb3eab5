import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort, repoRoot, waitFor } from '@microraiden/testing';

/** A chain-watcher running as its own OS process, as the gateway's chain guard sees it in production. */
export interface WatcherProcess {
  readonly url: string;
  readonly port: number;
  output(): string;
  /** SIGKILL: the watcher vanishes without answering anything. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/**
 * Spawns `node -r @swc-node/register services/chain-watcher/src/main.ts` with `env` (on a fresh port unless PORT
 * is given) and waits until its /health/ready answers 200.
 */
export async function spawnWatcher(env: Record<string, string>): Promise<WatcherProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const root = repoRoot();
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(root, 'services/chain-watcher/src/main.ts')],
    {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const waitExit = () =>
    new Promise<void>((resolve) => (exited() ? resolve() : child.once('exit', () => resolve())));
  let lastReady = '';
  await waitFor(
    `chain-watcher process on ${url}`,
    async () => {
      if (exited())
        throw new Error(`chain-watcher process exited early (${child.exitCode ?? child.signalCode})`);
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
  return {
    url,
    port,
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
