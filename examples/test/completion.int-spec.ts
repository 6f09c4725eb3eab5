// The stack's streamed completion demo: the process `npm run stack` starts for it (deploy/stack/completion-spec.ts,
// examples/completion/completion-server.ts) on the database of a real gateway and chain-watcher, paid per token with
// client.stream and a budget, and the try-it script (`npm run completion`) as a user runs it.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@microraiden/client';
import { freePort, repoRoot, waitFor } from '@microraiden/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  COMPLETION_UNIT_PRICE as UNIT,
  COMPLETION_UNITS_PER_STEP as STEP,
  completionSpec,
} from '../../deploy/stack/completion-spec';
import { streamCompletion } from '../completion/completion-stream';
import { startPaywalledDemos, type PaywalledDemos } from './paywalled-demos';

const MTK = 10n ** 18n;

let demos: PaywalledDemos;
let server: ChildProcess;
let base: string;
let pool: Pool;
let client: Client;
let dir: string;

function node(entry: string, env: Record<string, string>, args: string[] = []): ChildProcess {
  return spawn(process.execPath, ['-r', '@swc-node/register', entry, ...args], {
    cwd: repoRoot(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function chargedBalance(channelId: string): Promise<bigint> {
  const { rows } = await pool.query<{ c: string }>(
    'SELECT charged_balance::text AS c FROM gateway_channels WHERE channel_id = $1',
    [channelId],
  );
  return BigInt(rows[0]?.c ?? '0');
}

beforeAll(async () => {
  demos = await startPaywalledDemos({
    rpcUrl: inject('rpcUrl'),
    kafkaBrokers: inject('kafkaBrokers'),
    databaseUrl: inject('databaseUrl'),
  });
  await demos.fx.mint(demos.fx.sender.address, MTK);
  client = await demos.fx.client();
  pool = new Pool({ connectionString: demos.databaseUrl, max: 2 });
  dir = mkdtempSync(path.join(tmpdir(), 'completion-demo-'));
  const port = await freePort();
  const spec = completionSpec({ port, databaseUrl: demos.databaseUrl, deploymentFile: demos.deploymentFile });
  // What the stack runs, paid to this fixture's receiver, one token per millisecond to keep the test short.
  server = node(spec.entry, { ...spec.env, RECEIVER: demos.fx.receiver.address, TOKEN_DELAY_MS: '1' });
  let log = '';
  server.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  base = `http://127.0.0.1:${port}`;
  await waitFor(
    'the completion demo to answer',
    async () => {
      if (server.exitCode !== null) throw new Error(`completion demo exited: ${log}`);
      return fetch(`${base}${spec.readyPath}`).then(
        (r) => r.status === 200,
        () => false,
      );
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
});

afterAll(async () => {
  server?.kill('SIGTERM');
  await pool?.end();
  await demos?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the streamed completion demo', () => {
  it('asks for a stream payment of one step, priced per token', async () => {
    const res = await fetch(`${base}/v1/complete?max_tokens=5`, { method: 'POST' });
    expect(res.status).toBe(402);
    expect(res.headers.get('rdn-price-mode')).toBe('stream');
    expect(res.headers.get('rdn-unit-price')).toBe(UNIT.toString());
    expect(res.headers.get('rdn-price')).toBe((UNIT * BigInt(STEP)).toString());
  });

  it('streams within the budget and charges exactly tokens × unit price', async () => {
    const result = await streamCompletion(client, `${base}/v1/complete?prompt=hello&max_tokens=25`, {
      budget: 40n * UNIT,
      maxDeposit: MTK / 10n,
    });
    expect(result.tokens).toHaveLength(25);
    expect(result.tokens[0]).toBe('hello ');
    const receipt = result.receipt!;
    expect(receipt.units).toBe(25);
    expect(receipt.cost).toBe(25n * UNIT);
    // Three steps of ten signed (the third one half used), 25 tokens charged, on a fresh channel.
    expect(result.spent).toBe(30n * UNIT);
    expect(receipt.balance).toBe(30n * UNIT);
    expect(receipt.chargedBalance).toBe(25n * UNIT);
    expect(await chargedBalance(receipt.channelId)).toBe(25n * UNIT);
  });

  it('npm run completion prints the tokens and the charge in token units', async () => {
    const keyFile = path.join(dir, 'sender.key');
    writeFileSync(keyFile, `${demos.fx.sender.privateKey}\n`);
    chmodSync(keyFile, 0o600);
    const cli = node('examples/completion/try-completion.ts', {}, [
      `${base}/v1/complete`,
      ...['--prompt', 'Paid', '--max-tokens', '12', '--budget', '0.001MTK', '--max-deposit', '0.1MTK'],
      ...['--rpc', inject('rpcUrl'), '--deployment', demos.deploymentFile, '--keystore', keyFile],
      ...['--state-dir', path.join(dir, 'state')],
    ]);
    let out = '';
    let err = '';
    cli.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    cli.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => cli.once('exit', resolve));
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(/^Paid Payment channels let /);
    expect(out).toContain(
      'charged 12 tokens × 0.00001 MTK (10000000000000 base units) = 0.00012 MTK (120000000000000 base units)',
    );
  });
});
