import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const repoRoot = path.resolve(__dirname, '../../../..');

/** The environment of the consumer's processes: no NODE_PATH, which could lead back into the monorepo's modules. */
export function consumerEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { NODE_PATH: _ignored, ...env } = process.env;
  return { ...env, ...extra };
}

/** Runs a command to completion; a non-zero exit rejects with its output in the message. */
export async function sh(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  try {
    return await run(file, args, {
      cwd: options.cwd,
      env: options.env ?? consumerEnv(),
      maxBuffer: 16 * 1024 * 1024,
      timeout: 180_000,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed:\n${stdout.slice(0, 4000)}\n${stderr.slice(0, 4000)}`);
  }
}

/** A scratch project outside the monorepo with `@microraiden/paywall` and `@microraiden/client` from their tarballs. */
export interface PackedConsumer {
  /** The project directory (has package.json and node_modules). */
  readonly dir: string;
  /** Removes the scratch directory. */
  dispose(): Promise<void>;
}

/**
 * Builds and packs both packages, then installs their tarballs and `packages` (name@version; from the npm cache
 * where it has them) with one `npm install` into a fresh project under the system temp dir: no path aliases, no
 * root node_modules, exactly what a user of the published packages gets.
 */
export async function installPackedConsumer(packages: readonly string[]): Promise<PackedConsumer> {
  const work = await mkdtemp(path.join(tmpdir(), 'microraiden-paywall-pack-'));
  await sh('npm', ['run', 'paywall:package'], { cwd: repoRoot });
  await sh('npm', ['run', 'client:build'], { cwd: repoRoot });
  await sh('npm', ['pack', './libs/paywall', './libs/client', '--pack-destination', work], { cwd: repoRoot });
  const tarballs = (await readdir(work)).filter((name) => name.endsWith('.tgz')).sort();
  if (tarballs.join() !== 'microraiden-client-0.1.0.tgz,microraiden-paywall-0.1.0.tgz')
    throw new Error(`unexpected tarballs: ${tarballs.join(', ')}`);
  const dir = path.join(work, 'consumer');
  await mkdir(dir);
  await writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
  );
  const all = [...tarballs.map((name) => path.join(work, name)), ...packages];
  await sh('npm', ['install', ...all, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir });
  return { dir, dispose: () => rm(work, { recursive: true, force: true }) };
}

/** Compiles TypeScript files of the consumer with the monorepo's tsc, as a consumer's strict build would. */
export async function compileConsumerTs(
  dir: string,
  files: readonly string[],
  flags: readonly string[] = [],
) {
  const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const base = ['--strict', '--esModuleInterop', '--types', 'node', '--target', 'es2022'];
  await sh(process.execPath, [tsc, ...base, ...flags, ...files], { cwd: dir });
}

/**
 * The fenced code blocks of a README marked `<!-- example: NAME -->` on the line before the fence, by name: the
 * tests run these, so the README's examples are what is tested, character for character.
 */
export async function readmeExamples(file: string): Promise<Map<string, string>> {
  const text = await readFile(file, 'utf8');
  const examples = new Map<string, string>();
  for (const match of text.matchAll(/<!-- example: ([\w-]+) -->\n```\w*\n([\s\S]*?)```/g))
    examples.set(match[1] as string, match[2] as string);
  return examples;
}

// Preloaded into an app (`node -r`): whatever port the example listens on (3000 in the README), it gets a free one
// on 127.0.0.1 and says which on stdout, so examples run as written beside other servers.
const PORT_SHIM = `
const net = require('node:net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'object' && args[0] !== null) args[0] = { ...args[0], port: 0, host: '127.0.0.1' };
  else args.splice(0, typeof args[1] === 'string' ? 2 : 1, 0, '127.0.0.1');
  this.once('listening', () => console.log('TEST_APP_PORT=' + this.address().port));
  return listen.apply(this, args);
};
`;

// Preloaded into a Bun or Deno app (`bun --preload`, `deno run --preload`): the same for `Bun.serve` and
// `Deno.serve`, which listen without node:net.
const SERVE_SHIM = `
const runtime = globalThis.Bun ? 'Bun' : 'Deno';
const host = globalThis[runtime];
const serve = host.serve.bind(host);
const free = (options) => ({ ...options, port: 0, hostname: '127.0.0.1' });
host.serve = (...args) => {
  if (runtime === 'Bun') {
    const server = serve(free(args[0]));
    console.log('TEST_APP_PORT=' + server.port);
    return server;
  }
  const server = typeof args[0] === 'function' ? serve(free({}), args[0]) : serve(free(args[0]), ...args.slice(1));
  console.log('TEST_APP_PORT=' + server.addr.port);
  return server;
};
`;

/** The runtimes an app of the consumer runs on: Node (the test's own) or Bun and Deno from the consumer's npm install. */
export type AppRuntime = 'node' | 'bun' | 'deno';

/** The README's Deno command (`deno <DENO_RUN> app.js`): the permissions pg and the paywall need, no more. */
export const DENO_RUN = ['run', '--allow-net', '--allow-env', '--allow-read'] as const;

/**
 * The runtime binary the consumer's npm install put in node_modules (linux x64, like this machine and CI). Bun's
 * postinstall moves its platform package's binary to bun/bin/bun.exe; where install scripts did not run it is still
 * in the platform package. Deno's platform package keeps its binary either way.
 */
function runtimeBinary(dir: string, runtime: 'bun' | 'deno'): string {
  const candidates =
    runtime === 'bun' ? ['@oven/bun-linux-x64/bin/bun', 'bun/bin/bun.exe'] : ['@deno/linux-x64-glibc/deno'];
  const found = candidates
    .map((file) => path.join(dir, 'node_modules', file))
    .find((file) => existsSync(file));
  if (found === undefined)
    throw new Error(`no ${runtime} binary in ${dir}/node_modules (${candidates.join(', ')})`);
  return found;
}

/** The command line that starts `script` on `runtime` with the port shim preloaded. */
async function appCommand(dir: string, script: string, runtime: AppRuntime): Promise<string[]> {
  if (runtime === 'node') {
    await writeFile(path.join(dir, 'port-shim.js'), PORT_SHIM);
    return [process.execPath, '-r', './port-shim.js', script];
  }
  await writeFile(path.join(dir, 'serve-shim.js'), SERVE_SHIM);
  const binary = runtimeBinary(dir, runtime);
  return runtime === 'bun'
    ? [binary, '--preload', './serve-shim.js', script]
    : [binary, ...DENO_RUN, '--preload', './serve-shim.js', script];
}

/** A consumer app started by {@link startConsumerApp}. */
export interface ConsumerApp {
  readonly child: ChildProcess;
  readonly url: string;
}

/** Starts `script` of the consumer on `runtime` with the port shim; resolves with its base URL once it listens. */
export async function startConsumerApp(
  dir: string,
  script: string,
  env: NodeJS.ProcessEnv,
  runtime: AppRuntime = 'node',
): Promise<ConsumerApp> {
  const [file, ...args] = await appCommand(dir, script, runtime);
  // Deno: no update check over the network, its cache inside the scratch project.
  const runtimeEnv =
    runtime === 'deno' ? { DENO_NO_UPDATE_CHECK: '1', DENO_DIR: path.join(dir, '.deno') } : {};
  const child = spawn(file as string, args, {
    cwd: dir,
    env: { ...env, ...runtimeEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const port = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const found = /^TEST_APP_PORT=(\d+)$/.exec(line);
      if (found) resolve(found[1] as string);
      else output += `${line}\n`;
    });
    child.once('exit', (code) => reject(new Error(`${script} (${runtime}) exited with ${code}:\n${output}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

/** Stops an app and waits for it to be gone. */
export async function stopConsumerApp(app: ConsumerApp | undefined): Promise<void> {
  if (app === undefined || app.child.exitCode !== null) return;
  const exited = new Promise((resolve) => app.child.once('exit', resolve));
  app.child.kill();
  await exited;
}

// The client side, as a user of @microraiden/client writes it (scripts of the consumer).
export const CLIENT_SCRIPTS = {
  'open.js': `
const { Client } = require('@microraiden/client');
const deployment = JSON.parse(require('node:fs').readFileSync(process.env.DEPLOYMENT_FILE, 'utf8'));
const client = new Client({ privateKey: process.env.KEY }, { rpcUrl: process.env.RPC, deployment, stateDir: process.env.STATE, pollingIntervalMs: 50 });
client.getSuitableChannel(process.env.RECEIVER, 100n)
  .then((channel) => console.log(JSON.stringify({ id: channel.id })))
  .finally(() => client.close());
`,
  'pay.js': `
const { Client, paidFetch } = require('@microraiden/client');
const deployment = JSON.parse(require('node:fs').readFileSync(process.env.DEPLOYMENT_FILE, 'utf8'));
const client = new Client({ privateKey: process.env.KEY }, { rpcUrl: process.env.RPC, deployment, stateDir: process.env.STATE, pollingIntervalMs: 50 });
(async () => {
  const unpaid = await fetch(process.env.URL);
  const { response, paid } = await paidFetch(process.env.URL, undefined, { wallet: client, maxPricePerRequest: 10n });
  console.log(JSON.stringify({
    unpaid: { status: unpaid.status, error: unpaid.headers.get('rdn-error'), price: unpaid.headers.get('rdn-price') },
    status: response.status,
    body: await response.json(),
    receipt: { cost: response.headers.get('rdn-cost'), balance: response.headers.get('rdn-sender-balance') },
    paid: paid && { channelId: paid.channelId, amount: String(paid.amount), balance: String(paid.balance) },
  }));
})().finally(() => client.close());
`,
} as const;
