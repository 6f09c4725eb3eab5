// How long a `microraiden` command takes to start, and the CPU it burns doing so: the compiled bin (what the
// packed @microraiden/client installs) and the repo's `npm run microraiden --`, for `--help`, `channels --help` and
// `channels` against a private anvil with freshly deployed contracts (a sender without channels: the local state
// plus the token's symbol and decimals over JSON-RPC), beside `node -e 0`. Each round runs every row once, in
// turn, so all rows see the same load. BENCH_CLI_BASELINE=<checkout> adds that checkout's rows (build it first:
// `npm run client:build` there) for a before/after in one run.
// Run: npm run bench:cli-start [-- N]   (N rounds, default 10; BENCH_RPC_URL to use a running chain)
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { JsonRpcProvider, Wallet } from 'ethers';
import { deployContracts, writeDeploymentFile } from '@microraiden/contracts';
import { startAnvil, type RunningAnvil } from '@microraiden/testing';
import { sampleStart, type StartSample } from './start-sample';

const ROUNDS = Number(process.argv[2] ?? process.env.BENCH_ROUNDS ?? 10);
const HERE = path.resolve(__dirname, '../..');
const BASELINE = process.env.BENCH_CLI_BASELINE ? path.resolve(process.env.BENCH_CLI_BASELINE) : undefined;
// anvil's first well-known account: deploys the contracts on the bench's private chain.
const DEPLOYER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const COMPILED_MAIN = 'libs/client/dist/client/src/cli/main.js';

interface Row {
  readonly name: string;
  readonly cwd: string;
  /** The command without the CLI's arguments. */
  readonly command: readonly string[];
}

const CASES: readonly (readonly string[])[] = [['--help'], ['channels', '--help'], ['channels']];

function rowsOf(checkout: string, label: string): Row[] {
  return [
    { name: `${label} node ${COMPILED_MAIN}`, cwd: checkout, command: ['node', COMPILED_MAIN] },
    {
      name: `${label} npm run microraiden --`,
      cwd: checkout,
      command: ['npm', 'run', '-s', 'microraiden', '--'],
    },
  ];
}

function summary(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  const f = (x: number | undefined) => (x ?? Number.NaN).toFixed(0);
  return `${f(median)} (${f(sorted[0])}-${f(sorted.at(-1))})`;
}

async function chainEnv(dir: string): Promise<{ env: NodeJS.ProcessEnv; anvil?: RunningAnvil }> {
  const anvil = process.env.BENCH_RPC_URL ? undefined : await startAnvil();
  const rpcUrl = process.env.BENCH_RPC_URL ?? (anvil as RunningAnvil).rpcUrl;
  const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1 });
  provider.pollingInterval = 50;
  const deployment = await deployContracts(new Wallet(DEPLOYER_KEY, provider), { challengePeriod: 3600 });
  provider.destroy();
  const deploymentFile = path.join(dir, 'deployment.json');
  await writeDeploymentFile(deploymentFile, deployment);
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    MICRORAIDEN_RPC_URL: rpcUrl,
    MICRORAIDEN_DEPLOYMENT: deploymentFile,
    MICRORAIDEN_STATE_DIR: path.join(dir, 'state'),
    // A fresh sender: no channels, so `channels` reads an empty state and the token's metadata.
    MICRORAIDEN_PRIVATE_KEY: `0x${randomBytes(32).toString('hex')}`,
  };
  return { env, anvil };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-cli-start-'));
  const { env, anvil } = await chainEnv(dir);
  try {
    const rows = [...rowsOf(HERE, 'this'), ...(BASELINE ? rowsOf(BASELINE, 'baseline') : [])];
    const runs = [
      { row: { name: 'node -e 0', cwd: HERE, command: ['node', '-e', '0'] }, args: [] as readonly string[] },
      ...rows.flatMap((row) => CASES.map((args) => ({ row, args }))),
    ];
    // Warm-up: the page cache, and `npm run microraiden` rebuilds a stale compiled CLI here, not in a round.
    for (const { row, args } of runs) await sampleStart([...row.command, ...args], { cwd: row.cwd, env });
    const samples = new Map<string, StartSample[]>(runs.map((run) => [runKey(run), []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const run of runs) {
        const sample = await sampleStart([...run.row.command, ...run.args], { cwd: run.row.cwd, env });
        samples.get(runKey(run))?.push(sample);
      }
    }
    console.log(
      `CLI start-up, ${ROUNDS} rounds, median (min-max) ms; node ${process.version}, ${os.cpus().length} cores, ` +
        `load average ${os
          .loadavg()
          .map((x) => x.toFixed(1))
          .join(' ')}`,
    );
    console.log(`${'command'.padEnd(58)} ${'args'.padEnd(16)} ${'wall ms'.padEnd(16)} CPU ms (user+sys)`);
    for (const run of runs) {
      const list = samples.get(runKey(run)) ?? [];
      console.log(
        `${run.row.name.padEnd(58)} ${run.args.join(' ').padEnd(16)} ` +
          `${summary(list.map((s) => s.wallMs)).padEnd(16)} ${summary(list.map((s) => s.cpuMs))}`,
      );
    }
  } finally {
    await anvil?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function runKey(run: { row: Row; args: readonly string[] }): string {
  return `${run.row.name}\u0000${run.args.join(' ')}`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
