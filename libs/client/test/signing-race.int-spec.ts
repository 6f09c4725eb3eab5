import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { channelDomain, recoverBalanceProofSigner, type Hex } from '@microraiden/protocol';
import { deployClientFixture, type ClientFixture } from './support/client-fixture';

const repoRoot = path.resolve(__dirname, '../../..');
const PER_SIGNER = 40;
/** Upper bound of the random pause between a signer's transfers (its paid request in flight). */
const PAUSE_MS = 20;

/** A transfer worker in a child process: `ready` once it waits for the go file, `lines` what it signed. */
function startWorker(env: Record<string, string>): { ready: Promise<void>; lines: Promise<string[]> } {
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const lines = new Promise<string[]>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', 'libs/client/test/support/transfer-worker.ts'],
      {
        cwd: repoRoot,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith('ready\n')) onReady();
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(
            out
              .trim()
              .split('\n')
              .filter((line) => line !== 'ready'),
          )
        : reject(new Error(`worker exited ${code}: ${err}`)),
    );
  });
  // A worker that dies before it is ready must fail the test, not hang it.
  return { ready: Promise.race([ready, lines.then(() => undefined)]), lines };
}

describe('two processes signing on one channel', () => {
  let fx: ClientFixture;

  beforeAll(async () => {
    fx = await deployClientFixture(inject('rpcUrl'));
    await fx.mint(fx.sender.address, 1_000n);
  });
  afterAll(() => fx.dispose());

  it('never sign the same or a lower balance: all signed balances are distinct and strictly increasing', async () => {
    const client = await fx.client();
    const channel = await client.openChannel(fx.receiver.address, 1_000n);
    const stateDir = path.dirname(await client.stateFile());
    const env = {
      RPC_URL: inject('rpcUrl'),
      DEPLOYMENT: JSON.stringify(fx.deployment),
      STATE_DIR: stateDir,
      CHANNEL_ID: channel.id,
      COUNT: String(PER_SIGNER),
      MICRORAIDEN_PRIVATE_KEY: fx.senderKey,
      GO_FILE: path.join(stateDir, 'go'),
      PAUSE_MS: String(PAUSE_MS),
    };

    const workers = [startWorker(env), startWorker(env)];
    await Promise.all(workers.map((w) => w.ready));
    await writeFile(env.GO_FILE, 'go');
    const mine: string[] = [];
    const [first, second] = await Promise.all([
      ...workers.map((w) => w.lines),
      (async () => {
        for (let i = 0; i < PER_SIGNER; i++) {
          const proof = await channel.createTransfer(1n);
          mine.push(`${proof.balance} ${proof.signature}`);
          await new Promise((resolve) => setTimeout(resolve, Math.random() * PAUSE_MS));
        }
      })(),
    ]);

    const lines = [...first!, ...second!, ...mine];
    const balances = lines.map((line) => BigInt(line.split(' ')[0] as string));
    const total = 3 * PER_SIGNER;
    expect(new Set(balances).size).toBe(total);
    expect([...balances].sort((a, b) => Number(a - b))).toEqual(
      Array.from({ length: total }, (_, i) => BigInt(i + 1)),
    );
    // Within each signer, its own balances strictly increase.
    for (const signer of [first!, second!, mine]) {
      const own = signer.map((line) => BigInt(line.split(' ')[0] as string));
      expect(own.every((b, i) => i === 0 || b > (own[i - 1] as bigint))).toBe(true);
    }
    // They really raced: the balances of a signer are not one contiguous run.
    const interleaved = [first!, second!, mine].some((signer) => {
      const own = signer.map((line) => BigInt(line.split(' ')[0] as string));
      return (own.at(-1) as bigint) - (own[0] as bigint) !== BigInt(own.length - 1);
    });
    expect(interleaved).toBe(true);
    const domain = channelDomain(BigInt(fx.deployment.chainId), fx.deployment.channelManager);
    for (const line of lines) {
      const [balance, signature] = line.split(' ') as [string, Hex];
      const signer = recoverBalanceProofSigner(
        domain,
        { channelId: channel.id, receiver: channel.receiver, balance: BigInt(balance) },
        signature,
      );
      expect(signer.ok && signer.value).toBe(fx.sender.address);
    }
    expect((await client.channel(channel.id)).balance).toBe(BigInt(total));
  });
});
