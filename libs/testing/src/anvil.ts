import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from './free-port';
import { waitFor } from './wait-for';

export interface RunningAnvil {
  rpcUrl: string;
  stop(): Promise<void>;
}

/** anvil's well-known development mnemonic: its accounts are funded with 10,000 ETH each. */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';

/** Chain id anvil uses unless told otherwise. */
export const ANVIL_CHAIN_ID = 31337;

/** Path of the anvil binary shipped by the npm package `@foundry-rs/anvil`. */
export function anvilBinary(): string {
  return path.resolve(__dirname, '../../../node_modules/.bin/anvil');
}

/** Start a private anvil on a free loopback port and wait until it answers JSON-RPC. */
export async function startAnvil(options: { port?: number; blockTime?: number } = {}): Promise<RunningAnvil> {
  const port = options.port ?? (await freePort());
  const args = ['--host', '127.0.0.1', '--port', String(port), '--silent'];
  if (options.blockTime) args.push('--block-time', String(options.blockTime));
  const child: ChildProcess = spawn(anvilBinary(), args, { stdio: 'ignore' });
  const rpcUrl = `http://127.0.0.1:${port}`;
  await waitFor(`anvil on ${rpcUrl}`, () => rpcAnswers(rpcUrl), { timeoutMs: 30_000 });
  return {
    rpcUrl,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** True when `rpcUrl` answers `eth_chainId`. */
export async function rpcAnswers(rpcUrl: string): Promise<boolean> {
  try {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(2_000),
    });
    return res.ok;
  } catch {
    return false;
  }
}
