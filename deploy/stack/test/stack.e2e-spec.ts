import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { portInUse } from '../service-process';
import { STACK_PORTS } from './support/stack-run';

// `npm run stack -- --check` for real, on the default ports: infrastructure, contracts, five services and a
// front, two paid requests, the ledger; then everything it started must be gone again.
const repo = path.resolve(__dirname, '../../..');
// Infrastructure this checkout already runs belongs to someone else's session: the check must leave it up.
function infraAlreadyRunning(): boolean {
  return ['anvil.sh', 'kafka.sh'].some(
    (script) =>
      spawnSync('bash', [path.join(repo, 'deploy/local', script), 'status'], { stdio: 'ignore' }).status ===
      0,
  );
}

function runStackCheck(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // The test runner's KAFKA_BROKERS/DATABASE_URL/RPC_URL point at its own infrastructure, not the stack's.
    const { KAFKA_BROKERS: _k, DATABASE_URL: _d, RPC_URL: _r, ...env } = process.env;
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', 'deploy/stack/stack.ts', '--check', ...args],
      {
        cwd: repo,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('npm run stack -- --check', () => {
  it('pays through both gateway replicas, sees the balance in the ledger, and cleans up', async () => {
    const taken: number[] = [];
    for (const port of STACK_PORTS) if (await portInUse(port)) taken.push(port);
    expect(
      taken,
      `the stack's default ports ${taken.join(', ')} are taken: free them to run this test`,
    ).toEqual([]);

    const { code, output } = await runStackCheck(infraAlreadyRunning() ? ['--keep-infra'] : []);

    expect(output).toContain('CHECK PASSED');
    expect(output).toMatch(
      /200 from replica 1[\s\S]*200 from replica 2|200 from replica 2[\s\S]*200 from replica 1/,
    );
    expect(output).toMatch(/ledger .*balance 0\.0015 MTK \(1500000000000000 base units\)/);
    expect(code, output.slice(-3000)).toBe(0);
    for (const port of STACK_PORTS) expect(await portInUse(port), `port ${port} still open`).toBe(false);
    expect(existsSync(path.join(repo, '.run/stack.pids'))).toBe(false);
  }, 180_000);
});
