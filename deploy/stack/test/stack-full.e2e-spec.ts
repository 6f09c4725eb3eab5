import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JsonRpcProvider, Wallet, ZeroAddress, type EventLog } from 'ethers';
import { Client as Postgres } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { Client, type PaidAmount } from '@microraiden/client';
import { channelManagerAt, microTokenAt, readDeploymentFile, type Deployment } from '@microraiden/contracts';
import { runM2mClient } from '../../../examples/m2m-client/m2m-client';
import { anvilPrivateKey, STACK_ACCOUNTS } from '../anvil-accounts';
import { portInUse } from '../service-process';
import { StackRun, STACK_PORTS, waitForStackSlot, type StackUrls } from './support/stack-run';

// `npm run stack` for real, on the default ports: the M2M client pays 100 requests through the HAProxy
// front, the sender then cheats with an uncooperative close at a stale balance, the chain-watcher disputes it
// with the receiver's latest proof, the ledger's revenue from this sender is exactly what it paid, and Ctrl-C
// leaves nothing running. Runs after (never beside) stack.e2e-spec.ts: the integration project is one fork.
const repo = path.resolve(__dirname, '../../..');
const REQUESTS = 100;
const FORTUNE_PRICE = BigInt(
  (
    JSON.parse(readFileSync(path.join(__dirname, '../routes.json'), 'utf8')) as {
      routes: Array<{ path: string; price?: string }>;
    }
  ).routes.find((r) => r.path === '/api/fortune')!.price!,
);

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(250);
  }
}

/** Paid requests a gateway replica counted since it started (its Prometheus counter, all routes). */
async function paidRequests(gatewayUrl: string): Promise<number> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter(
      (line) => line.startsWith('microraiden_gateway_requests_total{') && line.includes('outcome="paid"'),
    )
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function getJson<T>(url: string, token: string): Promise<T> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** The exact base units of the operator page's cell `data-field="<field>"`. */
function pageAmount(html: string, field: string): bigint {
  const match = new RegExp(`data-field="${field}" data-base-units="(\\d+)"`).exec(html);
  if (!match) throw new Error(`no ${field} on the operator page`);
  return BigInt(match[1]!);
}

async function operatorPage(ledgerUrl: string, token: string): Promise<string> {
  const response = await fetch(`${ledgerUrl}/operator`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`GET /operator: HTTP ${response.status}`);
  return response.text();
}

describe('npm run stack, end to end: 100 paid requests, a cheating close disputed, revenue, Ctrl-C', () => {
  let stack: StackRun | undefined;
  let urls: StackUrls;
  let deployment: Deployment;
  let provider: JsonRpcProvider;
  let stateDir: string | undefined;
  let pidsWhileRunning: number[] = [];
  // A fresh sender per run: the demo sender's channels and the ledger's per-sender revenue outlive a stack run.
  const sender = Wallet.createRandom();
  let revenueBefore: bigint;
  let paid: Array<PaidAmount | null> = [];
  let channelId: string;

  afterAll(async () => {
    await stack?.ensureStopped();
    provider?.destroy();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('starts the whole stack on the default ports', async () => {
    const blocked = await waitForStackSlot(120_000);
    expect(blocked.runs, `another stack run (pids ${blocked.runs.join(', ')}) does not end`).toEqual([]);
    expect(blocked.ports, `the stack's ports ${blocked.ports.join(', ')} stay taken: free them`).toEqual([]);
    stack = StackRun.start();
    urls = await stack.ready(120_000);
    pidsWhileRunning = JSON.parse(readFileSync(path.join(repo, '.run/stack.pids'), 'utf8')) as number[];
    expect(pidsWhileRunning.length).toBeGreaterThanOrEqual(6);
    deployment = await readDeploymentFile(urls.deploymentFile);
    provider = new JsonRpcProvider(urls.rpcUrl, undefined, { staticNetwork: true });
    provider.pollingInterval = 250;
    revenueBefore = pageAmount(await operatorPage(urls.ledger, urls.operatorToken), 'accepted-revenue');
  }, 270_000);

  it(`pays ${REQUESTS} requests through the front, served by both gateway replicas`, async () => {
    await provider.send('anvil_setBalance', [sender.address, '0x8AC7230489E80000']); // 10 ETH for gas
    const minter = sender.connect(provider);
    // MicroToken's faucet is open on anvil's chain id: the sender mints its own tokens (no shared nonces).
    await (await microTokenAt(deployment.token, minter).mint(sender.address, 10n ** 18n)).wait();

    stateDir = await mkdtemp(path.join(tmpdir(), 'stack-full-'));
    const client = new Client(
      { privateKey: sender.privateKey },
      { rpcUrl: urls.rpcUrl, deployment, stateDir, pollingIntervalMs: 250 },
    );
    const lines: string[] = [];
    const pay = (requests: number) =>
      runM2mClient({
        client,
        url: `${urls.front}/api/fortune`,
        requests,
        maxPricePerRequest: FORTUNE_PRICE,
        maxDeposit: 150n * FORTUNE_PRICE,
        log: (line) => lines.push(line),
      });
    try {
      // HAProxy rotates paid requests (its `paid` backend) apart from unpaid ones, so both replicas accept some.
      // With the round-robin fallback a 402 probe and its paid retry share one rotation: every paid retry lands on
      // the same replica, and one free request half-way shifts it to the other one.
      paid = await pay(REQUESTS / 2);
      expect((await fetch(`${urls.front}/`)).status).toBe(200);
      paid.push(...(await pay(REQUESTS / 2)));
    } finally {
      await client.close();
    }
    expect(lines.filter((line) => line.includes('HTTP 200'))).toHaveLength(REQUESTS);
    expect(paid.every((p) => p?.amount === FORTUNE_PRICE)).toBe(true);
    expect(paid.map((p) => p!.balance)).toEqual(
      Array.from({ length: REQUESTS }, (_, i) => BigInt(i + 1) * FORTUNE_PRICE),
    );
    const channels = new Set(paid.map((p) => p!.channelId));
    expect(channels.size).toBe(1);
    channelId = [...channels][0]!;

    const [first, second] = await Promise.all(urls.gateways.map(paidRequests));
    expect(first, 'replica 1 accepted none').toBeGreaterThan(0);
    expect(second, 'replica 2 accepted none').toBeGreaterThan(0);
    expect(first! + second!).toBe(REQUESTS);
  });

  it('disputes an uncooperative close at a stale balance: the receiver is paid everything it accepted', async () => {
    expect(channelId, 'no channel: the payments failed').toBeDefined();
    const total = BigInt(REQUESTS) * FORTUNE_PRICE;
    // The watcher can only dispute with what it has consumed: wait for its stored proof, as an operator would.
    const db = new Postgres({ connectionString: urls.databaseUrl });
    await db.connect();
    try {
      await until(
        'the chain-watcher to store the latest proof',
        async () => {
          const { rows } = await db.query<{ balance: string }>(
            'SELECT balance::text AS balance FROM cw_balance_proofs WHERE channel_id = $1',
            [channelId.toLowerCase()],
          );
          return rows[0]?.balance === total.toString() ? true : undefined;
        },
        30_000,
      );
    } finally {
      await db.end();
    }

    const manager = channelManagerAt(deployment.channelManager, sender.connect(provider));
    const token = microTokenAt(deployment.token, provider);
    const receiver = new Wallet(anvilPrivateKey(STACK_ACCOUNTS.receiver)).address;
    const [, , deposit] = await manager.getChannel(channelId);
    const receiverBefore = await token.balanceOf(receiver);
    const stale = 3n * FORTUNE_PRICE;
    const close = await (await manager.uncooperativeClose(channelId, stale)).wait();
    const closedAt = close!.blockNumber;
    const requested = await manager.queryFilter(manager.filters.ChannelCloseRequested!(channelId), closedAt);
    expect((requested[0] as EventLog).args.balance).toBe(stale);

    // receiverClose settles at once, well inside the one-hour challenge period.
    await until(
      'the dispute to settle the channel',
      async () => ((await manager.getChannel(channelId))[0] === ZeroAddress ? true : undefined),
      30_000,
    );
    const settledLogs = await manager.queryFilter(manager.filters.ChannelSettled!(channelId), closedAt);
    expect(settledLogs).toHaveLength(1);
    const settled = (settledLogs[0] as EventLog).args;
    expect(settled.balance).toBe(total);
    expect(settled.receiverPaid).toBe(total);
    expect(settled.senderRefund).toBe(deposit - total);
    const disputeTx = await provider.getTransaction(settledLogs[0]!.transactionHash);
    expect(disputeTx?.from).toBe(receiver);
    expect(await token.balanceOf(receiver)).toBe(receiverBefore + total);
  });

  it('shows in the ledger exactly what the client paid, on its API and the operator page', async () => {
    expect(channelId, 'no channel: the payments failed').toBeDefined();
    const total = BigInt(REQUESTS) * FORTUNE_PRICE;
    const channel = await until(
      'the ledger to project the settlement',
      async () => {
        const body = await getJson<Record<string, string>>(
          `${urls.ledger}/api/1/channels/${channelId}`,
          urls.operatorToken,
        );
        return body.status === 'settled' ? body : undefined;
      },
      30_000,
    );
    expect(channel).toMatchObject({
      balance: total.toString(),
      closeBalance: (3n * FORTUNE_PRICE).toString(),
      settledBalance: total.toString(),
      receiverPaid: total.toString(),
      proofCount: REQUESTS,
    });
    const senders = await getJson<{ items: Array<Record<string, string>> }>(
      `${urls.ledger}/api/1/revenue/senders`,
      urls.operatorToken,
    );
    expect(senders.items.find((s) => s.sender === sender.address)).toMatchObject({
      amount: total.toString(),
      proofs: REQUESTS,
    });

    const html = await operatorPage(urls.ledger, urls.operatorToken);
    expect(pageAmount(html, 'accepted-revenue') - revenueBefore).toBe(total);
    const row = new RegExp(`<tr data-channel-id="${channelId.toLowerCase()}">([\\s\\S]*?)</tr>`).exec(
      html,
    )?.[1];
    expect(row, 'our channel on the operator page').toBeDefined();
    expect(row).toContain('data-field="status">settled<');
    expect(pageAmount(row!, 'balance')).toBe(total);
    expect(pageAmount(row!, 'at-risk')).toBe(0n);
  });

  it('stops everything it started on Ctrl-C', async () => {
    const code = await stack!.interrupt(90_000);
    expect(code, stack!.log().slice(-3000)).toBe(0);
    for (const port of STACK_PORTS) expect(await portInUse(port), `port ${port} still open`).toBe(false);
    expect(existsSync(path.join(repo, '.run/stack.pids'))).toBe(false);
    const alive = pidsWhileRunning.filter((pid) => existsSync(`/proc/${pid}`));
    expect(alive, 'stack processes still running').toEqual([]);
  }, 100_000);
});
