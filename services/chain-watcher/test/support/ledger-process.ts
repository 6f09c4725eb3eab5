import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort, repoRoot, waitFor } from '@microraiden/testing';

/** The ledger service running as its own OS process (services never import each other, tests neither). */
export interface LedgerProcess {
  readonly url: string;
  /** The value of the first sample of metric `name` (any labels), or undefined. */
  metric(name: string): Promise<number | undefined>;
  /** GET a JSON document. */
  json<T = Record<string, unknown>>(path: string): Promise<T>;
  stop(): Promise<void>;
}

/** The operator token the spawned ledger is configured with (its query API answers 503 without one). */
const OPERATOR_TOKEN = 'watcher-tests-ledger-operator-token';

/** Spawn `services/ledger/src/main.ts` with `env` on a free loopback port; resolves once /health/ready is 200. */
export async function spawnLedger(env: Record<string, string>): Promise<LedgerProcess> {
  const port = await freePort();
  const root = repoRoot();
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(root, 'services/ledger/src/main.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        OPERATOR_TOKEN,
        ...env,
        PORT: String(port),
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    `ledger process on ${url}`,
    async () => {
      if (child.exitCode !== null) throw new Error(`ledger exited early (${child.exitCode}):\n${output}`);
      return fetch(`${url}/health/ready`).then(
        (res) => res.status === 200,
        () => false,
      );
    },
    { timeoutMs: 90_000, intervalMs: 250 },
  ).catch((err: Error) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    url,
    async metric(name) {
      const text = await (await fetch(`${url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    },
    async json<T>(p: string) {
      const headers = { authorization: `Bearer ${OPERATOR_TOKEN}` };
      return (await (await fetch(`${url}${p}`, { headers })).json()) as T;
    },
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
