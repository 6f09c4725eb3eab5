import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { writeDeploymentFile } from '@microraiden/contracts';
import { channelDomain, recoverBalanceProofSigner, type Address, type Hex32 } from '@microraiden/protocol';
import * as source from '../src';
import { deployClientFixture, type ClientFixture } from './support/client-fixture';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../../..');

/** Runs a command to completion; a non-zero exit rejects with its output in the message (tsc reports on stdout). */
async function sh(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  // No NODE_PATH: it could lead the consumer back into the monorepo's node_modules.
  const { NODE_PATH: _ignored, ...env } = options.env ?? process.env;
  try {
    return await run(file, args, { cwd: options.cwd, env, maxBuffer: 16 * 1024 * 1024, timeout: 90_000 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed:\n${stdout.slice(0, 4000)}\n${stderr.slice(0, 4000)}`);
  }
}

// The published artifact, not the sources: build, pack and install it into a project outside the monorepo,
// where neither the path aliases nor the root node_modules can be reached.
describe('@microraiden/client installed from its npm tarball', () => {
  let work: string;
  let consumer: string;
  let bin: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'microraiden-client-pack-'));
    await sh('npm', ['run', 'client:build'], { cwd: repoRoot });
    await sh('npm', ['pack', './libs/client', '--pack-destination', work], { cwd: repoRoot });
    const [tarball] = (await readdir(work)).filter((name) => name.endsWith('.tgz'));
    expect(tarball).toBe('microraiden-client-0.1.0.tgz');

    consumer = path.join(work, 'consumer');
    await mkdir(consumer);
    await writeFile(
      path.join(consumer, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
    );
    // The npm cache normally holds every dependency already (the root install); the registry fills any gap.
    await sh(
      'npm',
      ['install', path.join(work, tarball as string), '--prefer-offline', '--no-audit', '--no-fund'],
      { cwd: consumer },
    );
    bin = path.join(consumer, 'node_modules', '.bin', 'microraiden');
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('requires from a plain CommonJS project and exports what the sources export', async () => {
    const { stdout } = await sh(
      process.execPath,
      [
        '-e',
        "const c = require('@microraiden/client'); console.log(JSON.stringify({ names: Object.keys(c).sort(), client: typeof c.Client, paidFetch: typeof c.paidFetch }))",
      ],
      { cwd: consumer },
    );
    const installed = JSON.parse(stdout) as { names: string[]; client: string; paidFetch: string };
    expect(installed.names).toEqual(Object.keys(source).sort());
    expect(installed.names).toEqual(
      expect.arrayContaining(['Client', 'paidFetch', 'ClientError', 'loadSenderKey']),
    );
    expect([installed.client, installed.paidFetch]).toEqual(['function', 'function']);
  });

  it('exports the browser build as @microraiden/client/browser (ESM, loadable outside a browser too)', async () => {
    const { stdout } = await sh(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const b = await import('@microraiden/client/browser'); console.log(JSON.stringify({ client: b.Client === b.SenderClient && typeof b.Client, signer: typeof b.eip1193Signer, store: typeof b.localStorageStateStore, keyFile: typeof b.loadSenderKey }))",
      ],
      { cwd: consumer },
    );
    expect(JSON.parse(stdout)).toEqual({
      client: 'function',
      signer: 'function',
      store: 'function',
      keyFile: 'undefined',
    });
  });

  it('exports the x402 scheme as @microraiden/client/x402, working with the real @x402/fetch', async () => {
    // The scheme's peer dependency, as an x402 user has it (from the npm cache of the root install).
    await sh(
      'npm',
      ['install', '@x402/core@2.27.0', '@x402/fetch@2.27.0', '--prefer-offline', '--no-audit', '--no-fund'],
      {
        cwd: consumer,
      },
    );
    const script = `
      const { MicroraidenChannelScheme, microraidenX402Client } = require('@microraiden/client/x402');
      const { wrapFetchWithPayment } = require('@x402/fetch');
      const wallet = { paymentIdentity: async () => ({ chainId: 31337n, token: '0x' + '03'.repeat(20) }) };
      microraidenX402Client(wallet, { maxPricePerRequest: 5n }).then(({ client, scheme }) => {
        const pay = wrapFetchWithPayment(fetch, client);
        console.log(JSON.stringify({ scheme: scheme.scheme, same: scheme instanceof MicroraidenChannelScheme, pay: typeof pay }));
      });
    `;
    const { stdout } = await sh(process.execPath, ['-e', script], { cwd: consumer });
    expect(JSON.parse(stdout)).toEqual({ scheme: 'microraiden-channel', same: true, pay: 'function' });
  });

  it('types a TypeScript consumer from the bundled declarations', async () => {
    await writeFile(
      path.join(consumer, 'use.ts'),
      [
        "import { Client, paidFetch, type ClientOptions } from '@microraiden/client';",
        "import { SenderClient, eip1193Signer } from '@microraiden/client/browser';",
        "const browserClient: SenderClient = new SenderClient(eip1193Signer({ request: async () => null }, '0x' + '02'.padStart(40, '0')), { rpcUrl: 'http://127.0.0.1:8545', channelManager: '0x' + '01'.padStart(40, '0') });",
        'void browserClient;',
        "const options: ClientOptions = { rpcUrl: 'http://127.0.0.1:8545', channelManager: '0x' + '01'.padStart(40, '0') };",
        "const address: string = new Client({ privateKey: '0x' + '11'.repeat(32) }, options).address;",
        'void [address, paidFetch];',
        // Must fail to compile, or the declarations are `any`.
        '// @ts-expect-error',
        "new Client({ privateKey: '0x11' }, { rpcUrl: 1 });",
      ].join('\n'),
    );
    const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    // esModuleInterop: zod's own declarations need it, as in most TypeScript projects.
    const flags = [
      '--strict',
      '--noEmit',
      '--esModuleInterop',
      '--module',
      'commonjs',
      '--moduleResolution',
      'node',
      '--types',
      'node',
    ];
    await sh(process.execPath, [tsc, ...flags, '--target', 'es2022', 'use.ts'], { cwd: consumer });
  });

  it('installs the microraiden command, which prints its usage', async () => {
    const { stdout } = await sh(bin, ['--help'], { cwd: consumer, env: { PATH: process.env.PATH ?? '' } });
    expect(stdout).toMatch(/^usage: microraiden <command> \[options\]/);
    expect(stdout).toContain('open <receiver> <deposit>');
  });

  it('ships what a command loads as one bundle, so a start reads one file instead of ethers and zod', async () => {
    const installed = path.join(
      consumer,
      'node_modules/@microraiden/client/dist/client/src/cli/run-command.js',
    );
    const code = await readFile(installed, 'utf8');
    expect(code).not.toMatch(/require\(["'](ethers|zod|@noble\/curves[^"']*|\.\.?\/[^"']*)["']\)/);
    expect(code).toContain('secp256k1/bindings');
  });

  describe('on anvil', () => {
    let fx: ClientFixture;
    let deploymentFile: string;
    let stateDir: string;

    beforeAll(async () => {
      fx = await deployClientFixture(inject('rpcUrl'));
      await fx.mint(fx.sender.address, 1_000_000n);
      const dir = await fx.stateDir();
      deploymentFile = path.join(dir, 'deployment.json');
      stateDir = path.join(dir, 'state');
      await writeDeploymentFile(deploymentFile, fx.deployment);
    });
    afterAll(async () => {
      await fx?.dispose();
    });

    it('opens a channel with the installed CLI and pays on it with the installed library', async () => {
      const opened = await sh(
        bin,
        [
          'open',
          fx.receiver.address,
          '10',
          '--json',
          '--rpc',
          inject('rpcUrl'),
          '--deployment',
          deploymentFile,
          '--state-dir',
          stateDir,
        ],
        { cwd: consumer, env: { PATH: process.env.PATH ?? '', MICRORAIDEN_PRIVATE_KEY: fx.senderKey } },
      );
      const { id } = JSON.parse(opened.stdout) as { id: string };
      const [sender, receiver, deposit] = await fx.manager.getChannel(id);
      expect([sender, receiver, deposit]).toEqual([fx.sender.address, fx.receiver.address, 10n]);

      // The same state directory: the library must find the CLI's channel rather than open another.
      const script = `
        const { readFileSync } = require('node:fs');
        const { Client } = require('@microraiden/client');
        (async () => {
          const deployment = JSON.parse(readFileSync(process.env.DEPLOYMENT, 'utf8'));
          const client = new Client(
            { privateKey: process.env.KEY },
            { rpcUrl: process.env.RPC, deployment, stateDir: process.env.STATE, pollingIntervalMs: 50 },
          );
          try {
            const channel = await client.getSuitableChannel(process.env.RECEIVER, 5n);
            const proof = await channel.createTransfer(4n);
            console.log(JSON.stringify({ id: channel.id, balance: String(proof.balance), signature: proof.signature }));
          } finally {
            await client.close();
          }
        })();
      `;
      const paid = await sh(process.execPath, ['-e', script], {
        cwd: consumer,
        env: {
          PATH: process.env.PATH ?? '',
          DEPLOYMENT: deploymentFile,
          KEY: fx.senderKey,
          RPC: inject('rpcUrl'),
          STATE: stateDir,
          RECEIVER: fx.receiver.address,
        },
      });
      const proof = JSON.parse(paid.stdout) as { id: string; balance: string; signature: string };
      expect(proof.id).toBe(id);
      expect(proof.balance).toBe('4');
      const signer = recoverBalanceProofSigner(
        channelDomain(BigInt(fx.deployment.chainId), fx.deployment.channelManager),
        { channelId: id as Hex32, receiver: fx.receiver.address as Address, balance: 4n },
        proof.signature,
      );
      expect(signer).toEqual({ ok: true, value: fx.sender.address });
    });
  });
});
