import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { channelManagerAt, microTokenAt } from '@microraiden/contracts';
import {
  channelDomain,
  encodePayment,
  parseX402PaymentRequired,
  signBalanceProof,
  type Address,
  type ChannelDomain,
  type Hex32,
} from '@microraiden/protocol';
import { createTestDatabase, uniqueTopic, waitFor, type TestDatabase } from '@microraiden/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { paywallMiddleware, receiverKeyOfPrivateKey, startPaywall, type PaywallRuntime } from '../src';
import { deployClientFixture, type ClientFixture } from '../../client/test/support/client-fixture';

// startPaywall's chain options in the embedding process, on Postgres, Kafka and anvil: the token's symbol and
// decimals read from the deployed token, a channel mined but not confirmed answered as such, and the chain guard.
const PRICE = 10n ** 15n;
const CONFIRMATIONS = 3;

let db: TestDatabase;
let fx: ClientFixture;
let domain: ChannelDomain;
let receiver: Address;
let sender: Address;
let runtime: PaywallRuntime;
let app: Server;
let appUrl: string;
let watcher: Server;
let watcherReady = true;
const logLines: string[] = [];
// A closed guard refuses before the channel is looked at: any well-formed proof shows it.
const UNKNOWN_CHANNEL = `0x${'ab'.repeat(32)}` as Hex32;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'paywall_start', serverUrl: inject('databaseUrl') });
  fx = await deployClientFixture(inject('rpcUrl'));
  domain = channelDomain(BigInt(fx.deployment.chainId), fx.deployment.channelManager);
  receiver = fx.receiver.address as Address;
  sender = fx.sender.address as Address;
  // A stand-in chain-watcher: only its /health/ready matters to the guard.
  watcher = createServer((req, res) => {
    res.writeHead(req.url === '/health/ready' && watcherReady ? 200 : 503).end('{}');
  });
  const watcherUrl = await listen(watcher);
  runtime = await startPaywall({
    deployment: fx.deployment,
    routes: [{ path: '/paid', price: PRICE.toString() }],
    receiverKey: receiverKeyOfPrivateKey(fx.receiverKey),
    databaseUrl: db.url,
    kafkaBrokers: inject('kafkaBrokers').split(','),
    groupId: uniqueTopic('paywall-start'),
    topics: {
      channels: uniqueTopic('paywall-start-channels'),
      balanceProofs: uniqueTopic('paywall-start-proofs'),
      deadLetter: uniqueTopic('paywall-start-dlq'),
      partitions: 1,
    },
    rpcUrl: inject('rpcUrl'),
    confirmations: CONFIRMATIONS,
    chainWatcherUrl: watcherUrl,
    chainWatcherPollMs: 50,
    chainWatcherGraceMs: 300,
    log: (level, message) => logLines.push(`${level} ${message}`),
  });
  const paywall = paywallMiddleware(runtime);
  app = createServer((req, res) => paywall(req, res, () => res.writeHead(200).end('{"ok":true}')));
  appUrl = await listen(app);
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => app?.close(resolve));
  await new Promise((resolve) => watcher?.close(resolve));
  await runtime?.stop();
  await db?.drop();
  await fx?.dispose();
});

function proofHeaders(channelId: Hex32, balance: bigint): Record<string, string> {
  const signature = signBalanceProof(fx.senderKey, domain, { channelId, receiver, balance });
  return encodePayment({
    sender,
    channelId,
    balance,
    signature,
    receiver,
    channelManager: domain.verifyingContract,
    chainId: domain.chainId,
  });
}

/** Opens a channel from the sender to the receiver on anvil (no chain-watcher: nothing projects it). */
async function openChannel(deposit: bigint): Promise<{ channelId: Hex32; blockNumber: number }> {
  await fx.mint(sender, deposit);
  await (
    await microTokenAt(fx.deployment.token, fx.sender).approve(fx.deployment.channelManager, deposit)
  ).wait();
  const manager = channelManagerAt(fx.deployment.channelManager, fx.sender);
  const receipt = (await (await manager.createChannel(receiver, deposit)).wait())!;
  const created = receipt.logs
    .map((log) => manager.interface.parseLog(log))
    .find((parsed) => parsed?.name === 'ChannelCreated')!;
  return { channelId: created.args.channelId as Hex32, blockNumber: receipt.blockNumber };
}

const pay = (channelId: Hex32, balance: bigint) =>
  fetch(`${appUrl}/paid`, { headers: proofHeaders(channelId, balance) });

describe('startPaywall with rpcUrl and chainWatcherUrl', () => {
  it('offers the price with the symbol and decimals read from the deployed token, base units beside', async () => {
    const res = await fetch(`${appUrl}/paid`);
    expect(res.status).toBe(402);
    const parsed = parseX402PaymentRequired(res.headers);
    if (!parsed.ok) throw parsed.error;
    expect(parsed.value.token).toEqual({ symbol: 'MTK', decimals: 18 });
    expect(parsed.value.accepted.amount).toBe(PRICE.toString());

    const page = await fetch(`${appUrl}/paid`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(402);
    expect(await page.text()).toContain(
      '<strong data-mr-amount="price">0.001 MTK (1000000000000000 base units)</strong>',
    );
    expect(logLines.filter((line) => line.includes('is not set'))).toEqual([]);
  });

  it('answers CHANNEL_INSUFFICIENT_CONFIRMATIONS for a channel mined but not yet confirmed', async () => {
    const created = await openChannel(5n * PRICE);
    const confirmations = (await fx.provider.getBlockNumber()) - created.blockNumber;
    expect(confirmations).toBeLessThan(CONFIRMATIONS - 1);
    const res = await pay(created.channelId, PRICE);
    const body = (await res.json()) as { error?: { code: string; details: unknown } };
    expect(res.status).toBe(402);
    expect(res.headers.get('rdn-error')).toBe('CHANNEL_INSUFFICIENT_CONFIRMATIONS');
    expect(body.error).toMatchObject({
      code: 'CHANNEL_INSUFFICIENT_CONFIRMATIONS',
      details: { confirmations, required: CONFIRMATIONS, missing: CONFIRMATIONS - confirmations },
    });
  });

  it('is ready once the channel consumer joined, and reports the chain guard', async () => {
    await runtime.channelsFollowed;
    const report = await runtime.ready();
    expect(report.ready).toBe(true);
    expect(report.checks['channel-events']).toEqual({ status: 'up', consumer: 'joined' });
    expect(report.checks['chain-watcher']).toMatchObject({
      status: 'up',
      payments: 'accepted',
      watcherReady: true,
    });
  });

  it('refuses payments while the chain-watcher is not ready for longer than the grace period', async () => {
    watcherReady = false;
    try {
      await waitFor(
        'the guard to close',
        async () =>
          (await runtime.ready()).checks['chain-watcher']?.status === 'up' &&
          (await pay(UNKNOWN_CHANNEL, PRICE)).status === 503,
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      const report = await runtime.ready();
      // Still ready: free routes serve; the guard only reports, without the watcher's address.
      expect(report.ready).toBe(true);
      expect(report.checks['chain-watcher']).toMatchObject({ payments: 'refused', watcherReady: false });
      expect(logLines).toContainEqual(
        expect.stringMatching(
          /^error the chain-watcher has not been ready for more than 0.3 s: refusing payments/,
        ),
      );
    } finally {
      watcherReady = true;
    }
  });
});
