import { spawn } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { encryptKeystoreJsonSync } from 'ethers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { writeDeploymentFile } from '@microraiden/contracts';
import type { TestGateway } from '../src/test/test-gateway';
import { deployClientFixture, type ClientFixture } from './support/client-fixture';

const repoRoot = path.resolve(__dirname, '../../..');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A local TCP port nothing listens on (bound, then released). */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs `microraiden <argv>` as a child process, as a user would (optionally reacting to its stderr). */
function cli(
  argv: string[],
  env: Record<string, string>,
  onStderr?: (text: string) => void,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', 'libs/client/src/cli/main.ts', ...argv],
      {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      onStderr?.(stderr);
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the microraiden CLI on anvil', () => {
  let fx: ClientFixture;
  let gateway: TestGateway;
  let gatewayUrl: string;
  let env: Record<string, string>;
  let global: string[];
  const PRICE = 1_000n;

  beforeAll(async () => {
    fx = await deployClientFixture(inject('rpcUrl'));
    await fx.mint(fx.sender.address, 1_000_000n);
    const dir = await fx.stateDir();
    const deploymentFile = path.join(dir, 'deployment.json');
    await writeDeploymentFile(deploymentFile, fx.deployment);
    global = [
      '--rpc',
      inject('rpcUrl'),
      '--deployment',
      deploymentFile,
      '--state-dir',
      path.join(dir, 'state'),
    ];
    env = { MICRORAIDEN_PRIVATE_KEY: fx.senderKey };
    gateway = fx.gateway(PRICE);
    gatewayUrl = await gateway.listen();
  });
  afterAll(async () => {
    await gateway.stop();
    await fx.dispose();
  });

  const run = (...argv: string[]) => cli([...argv, ...global], env);
  const openChannel = async (deposit: string): Promise<string> => {
    const opened = await run('open', fx.receiver.address, deposit, '--json');
    expect(opened.code).toBe(0);
    return (JSON.parse(opened.stdout) as { id: string }).id;
  };

  it('opens a channel, showing progress and amounts in token units', async () => {
    const { code, stdout, stderr } = await run('open', fx.receiver.address, '10');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^channel 0x[0-9a-f]{64}\n/);
    expect(stdout).toContain('deposit      0.00000000000000001 MTK (10 base units)');
    expect(stdout).toContain(`receiver     ${fx.receiver.address}`);
    expect(stderr).toMatch(/createChannelWithPermit: sent 0x[0-9a-f]{64}/);
    expect(stderr).toMatch(/createChannelWithPermit: confirmed in block \d+/);
  });

  it('lists channels for people and as JSON', async () => {
    const human = await run('channels');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('state        open');
    const json = await run('channels', '--json');
    const channels = JSON.parse(json.stdout) as { deposit: string; state: string }[];
    expect(channels.length).toBeGreaterThanOrEqual(1);
    expect(channels[0]).toMatchObject({ deposit: '10', state: 'open' });
  });

  it('pays for a request; without --max-price it only shows the price', async () => {
    const priced = await run('pay', `${gatewayUrl}/api/weather`);
    expect([priced.code, priced.stdout]).toEqual([
      0,
      `${gatewayUrl}/api/weather costs 0.000000000000001 MTK (1000 base units) per request; ` +
        `nothing paid. To pay: microraiden pay ${gatewayUrl}/api/weather --max-price 0.000000000000001MTK\n`,
    ]);
    expect(priced.stderr).not.toContain('error');
    const pricedJson = await run('pay', `${gatewayUrl}/api/weather`, '--max-price', '0', '--json');
    expect(JSON.parse(pricedJson.stdout)).toEqual({
      status: 402,
      price: '1000',
      paid: null,
    });
    const tooHigh = await run('pay', `${gatewayUrl}/api/weather`, '--max-price', '999');
    expect(tooHigh.code).toBe(1);
    expect(tooHigh.stderr).toContain(
      'error PRICE_TOO_HIGH: the gateway asks 1000 per request, above the limit of 999\n',
    );

    const { code, stdout, stderr } = await run(
      'pay',
      `${gatewayUrl}/api/weather`,
      '--max-price',
      '1000',
      '--max-deposit',
      '0.00000000000001MTK',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ city: 'Berlin', method: 'GET' });
    expect(stderr).toContain('price 0.000000000000001 MTK (1000 base units) per request');
    expect(stderr).toMatch(
      /paid 0\.000000000000001 MTK \(1000 base units\) on channel 0x[0-9a-f]{64}; balance 0\.000000000000001 MTK/,
    );

    const posted = await run(
      'pay',
      `${gatewayUrl}/api/weather`,
      '--max-price',
      '1000',
      '--data',
      'hi',
      '--json',
    );
    expect(posted.code).toBe(0);
    const result = JSON.parse(posted.stdout) as { status: number; paid: { balance: string }; body: string };
    expect([result.status, result.paid.balance, JSON.parse(result.body).echo]).toEqual([200, '2000', 'hi']);
  });

  it('exits 3 when the paid request ends in an HTTP error (nothing charged)', async () => {
    gateway.upstreamStatus = 502;
    try {
      const { code, stderr } = await run('pay', `${gatewayUrl}/api/weather`, '--max-price', '1000');
      expect(code).toBe(3);
      expect(stderr).toContain('HTTP 502');
      expect(stderr).toContain('paid nothing');
    } finally {
      gateway.upstreamStatus = 200;
    }
  });

  it('closes the paid channel cooperatively through the gateway', async () => {
    const json = JSON.parse((await run('channels', '--json')).stdout) as {
      id: string;
      gatewayUrl: string | null;
    }[];
    const paidChannel = json.find((c) => c.gatewayUrl !== null);
    expect(paidChannel).toBeDefined();
    const receiverBefore = await fx.balanceOf(fx.receiver.address);
    const { code, stdout } = await run('close', paidChannel!.id, '--receiver-url', gatewayUrl);
    expect(code).toBe(0);
    expect(stdout).toContain(`closed cooperatively: channel ${paidChannel!.id} is settled`);
    expect(stdout).toContain('receiver paid  0.000000000000002 MTK (2000 base units)');
    expect(await fx.balanceOf(fx.receiver.address)).toBe(receiverBefore + 2_000n);
  });

  it('closes uncooperatively, refuses to settle early, then settles with --wait once time has passed', async () => {
    const id = await openChannel('10');
    // No terminal to ask on (stdin is not a TTY here): the cooperative close failing is not consent.
    const refused = await run('close', id);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n').at(-1)).toBe(
      'error COOPERATIVE_CLOSE_FAILED: the cooperative close failed (no receiver URL is known for this channel); ' +
        `the channel stays open. stdin is not a terminal to ask on: run \`microraiden close ${id} --uncooperative\` ` +
        'to start the challenge period instead',
    );
    expect((await run('channels', '--json')).stdout).toContain(`"state": "open"`);
    const closed = await run('close', id, '--uncooperative');
    expect(closed.code).toBe(0);
    expect(closed.stdout).toContain(
      'uncooperative close requested (no receiver URL is known for this channel)',
    );
    expect(closed.stdout).toContain(`then run: microraiden settle ${id} --wait`);

    const early = await run('settle', id);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(
      /^error CHALLENGE_PERIOD_NOT_OVER: the challenge period of channel 0x[0-9a-f]{64} ends in (59m \d+s|1h)/m,
    );

    let warped = false;
    const waited = await cli(['settle', id, '--wait', ...global], env, (stderr) => {
      if (!warped && stderr.includes('challenge period:')) {
        warped = true;
        void fx.increaseTime(3600);
      }
    });
    expect(waited.code).toBe(0);
    expect(waited.stderr).toMatch(/challenge period: (59m \d+s|1h) left/);
    expect(waited.stdout).toContain(`settled channel ${id}`);
    expect(waited.stdout).toContain('refunded       0.00000000000000001 MTK (10 base units)');
  });

  it('rebuilds its state with sync', async () => {
    const { code, stdout } = await run('sync');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^synced 2 channel\(s\), 0 not settled\n$/);
  });

  it('reports bad arguments as one error line and a non-zero exit code', async () => {
    const closedPort = await unusedPort();
    const cases: [string[], number, RegExp][] = [
      // The real cause first: an unreachable RPC, not the amount it could not interpret without the token.
      [
        ['pay', `${gatewayUrl}/api/weather`, '--max-price', '0.1MTK', '--rpc', 'http://127.0.0.1:1'],
        1,
        /^error RPC_UNAVAILABLE: eth_chainId: the Ethereum RPC endpoint does not answer \(RPC http:\/\/127\.0\.0\.1:1\)$/,
      ],
      // A gateway that is down is a network error naming it, not `INTERNAL: fetch failed`.
      [
        ['pay', `http://127.0.0.1:${closedPort}/api/weather`, '--max-price', '1000'],
        1,
        new RegExp(
          `^error NETWORK_ERROR: cannot reach http://127\\.0\\.0\\.1:${closedPort} \\(ECONNREFUSED\\) for http://127\\.0\\.0\\.1:${closedPort}/api/weather$`,
        ),
      ],
      [
        ['pay', `${gatewayUrl}/api/weather`, '--max-price', '1ETH'],
        2,
        /names ETH, but the channel token is MTK/,
      ],
      [['open', fx.receiver.address], 2, /^error INVALID_USAGE: open takes 2 argument/],
      [['open', 'not-an-address', '10'], 1, /^error INVALID_ADDRESS: the receiver is not an address/],
      [['topup', `0x${'ab'.repeat(32)}`, '5'], 1, /^error CHANNEL_UNKNOWN: channel 0x(ab){32} is not one of/],
      [['open', fx.receiver.address, String(10n ** 30n)], 1, /^error INSUFFICIENT_TOKENS: /],
      [
        ['settle', `0x${'ab'.repeat(32)}`, '--rpc', 'http://127.0.0.1:1'],
        1,
        /^error (RPC_UNAVAILABLE|CHANNEL_UNKNOWN)/,
      ],
    ];
    for (const [argv, exit, line] of cases) {
      // Options given later win: a case's own --rpc overrides the fixture's.
      const result = await cli([...global, ...argv], env);
      expect({ argv, code: result.code }).toEqual({ argv, code: exit });
      expect(result.stderr.trim().split('\n').at(-1)).toMatch(line);
      expect(result.stderr).not.toContain(fx.senderKey.slice(2));
    }
  });

  it('takes the key from a 0600 keystore with a password file, and refuses a readable one', async () => {
    const dir = await fx.stateDir();
    const keystore = path.join(dir, 'sender.json');
    const password = path.join(dir, 'password');
    await writeFile(
      keystore,
      encryptKeystoreJsonSync({ address: fx.sender.address, privateKey: fx.senderKey }, 'secret', {
        scrypt: { N: 1 << 10 },
      }),
    );
    await writeFile(password, 'secret\n');
    await chmod(keystore, 0o600);
    await chmod(password, 0o600);
    const ok = await cli(['channels', ...global, '--keystore', keystore, '--password-file', password], {});
    expect(ok.code).toBe(0);
    await chmod(keystore, 0o644);
    const refused = await cli(
      ['channels', ...global, '--keystore', keystore, '--password-file', password],
      {},
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `error KEYSTORE_INSECURE: the keystore ${keystore} is accessible by group or others (mode 0644); run: chmod 600 ${keystore}\n`,
    );
  });
});
