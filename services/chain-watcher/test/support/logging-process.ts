import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort, repoRoot, waitFor } from '@microraiden/testing';

/** The chain-watcher as its own OS process, its stdout (the JSON log) kept whole. */
export interface LoggingWatcher {
  readonly url: string;
  /** Log lines written so far. */
  lines(): string[];
  stop(): Promise<void>;
}

/** Spawns `services/chain-watcher/src/main.ts` with `env`; resolves once /health/live answers (ready or not). */
export async function spawnLoggingWatcher(env: Record<string, string>): Promise<LoggingWatcher> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(repoRoot(), 'services/chain-watcher/src/main.ts')],
    {
      cwd: repoRoot(),
      env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    'the chain-watcher process to answer',
    async () => {
      if (child.exitCode !== null) throw new Error(`chain-watcher exited early:\n${output.slice(-4000)}`);
      return (await fetch(`${url}/health/live`).catch(() => undefined))?.status === 200;
    },
    { timeoutMs: 90_000, intervalMs: 250 },
  );
  return {
    url,
    lines: () => output.split('\n').filter((l) => l.trim() !== ''),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
