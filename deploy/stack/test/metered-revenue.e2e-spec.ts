// Metered prices end to end (issue 12, docs/protocol.md 7.2): the client SDK pays 1,000 requests through the real
// gateway (proxy mode, Postgres, Kafka, anvil) to an upstream that reports each request's actual charge in
// RDN-Charge (some over the ceiling, some not at all, a fixed-price route between them), and the ledger projects
// what the gateway published. Every number is checked three ways: the charges the gateway should have taken
// (clamped as the spec says, computed here from what the upstream reported), the receipts' RDN-Cost, and the
// ledger's revenue and charged balance for the channel. Then the sender closes cooperatively at the charged balance.
import { Client, memoryStateStore, paidFetch, type PaidAmount } from '@microraiden/client';
import { microTokenAt } from '@microraiden/contracts';
import type { KafkaClientOptions } from '@microraiden/kafka';
import { privateKeyToAddress, type Hex32 } from '@microraiden/protocol';
import { createTestDatabase, uniqueTopic, waitFor, type TestDatabase } from '@microraiden/testing';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  anvilKey,
  deployChain,
  writeRoutesFile,
  type ChainFixture,
} from '../../../services/gateway/test/support/chain-fixture';
import { startChannelRelay, type ChannelRelay } from '../../../services/gateway/test/support/channel-relay';
import { startGateway, type InProcessGateway } from '../../../services/gateway/test/support/gateway-fixture';
import {
  json,
  startUpstream,
  type TestUpstream,
} from '../../../services/gateway/test/support/upstream-server';
import {
  createLedgerFixture,
  getJson,
  startLedger,
  type LedgerFixture,
} from '../../../services/ledger/test/support/ledger-harness';

const REQUESTS = 1_000;
/** The metered route's ceiling (RDN-Price) and the fixed route's price (>= the ceiling: it charges exactly it). */
const CEILING = 1_000n;
const FIXED_PRICE = 2_000n;
const DEPOSIT = 3_000_000n;
const kafka: KafkaClientOptions = { brokers: inject('kafkaBrokers').split(','), clientId: 'metered-revenue' };
const senderKey = anvilKey(6);
const sender = privateKeyToAddress(senderKey);

/** Seeded (mulberry32) so a failure replays. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the upstream reports for request `n`: mostly within the ceiling, some 0, some over it, some nothing. */
function reportOf(random: () => number): string | undefined {
  const roll = random();
  if (roll < 0.05) return undefined;
  if (roll < 0.08) return '0';
  if (roll < 0.18) return String(CEILING + 1n + BigInt(Math.floor(random() * 5_000)));
  return String(1 + Math.floor(random() * Number(CEILING)));
}

/** The spec's charge for a metered request: min(max(a, 1), ceiling); unreported: the ceiling. */
function chargeFor(reported: string | undefined): bigint {
  if (reported === undefined) return CEILING;
  const a = BigInt(reported);
  return a < 1n ? 1n : a > CEILING ? CEILING : a;
}

let gatewayDb: TestDatabase;
let ledgerFixture: LedgerFixture;
let ledger: Awaited<ReturnType<typeof startLedger>> | undefined;
let chain: ChainFixture;
let upstream: TestUpstream;
let gateway: InProcessGateway;
let relay: ChannelRelay;
let client: Client;
/** What the upstream reported per request number (the query's `n`), as it answered. */
const reported = new Map<number, string | undefined>();

beforeAll(async () => {
  gatewayDb = await createTestDatabase({ prefix: 'metered_gateway', serverUrl: inject('databaseUrl') });
  // The ledger's fixture makes the topics; the gateway publishes to them and the ledger projects them.
  ledgerFixture = await createLedgerFixture('metered_ledger', 3);
  chain = await deployChain(inject('rpcUrl'));
  const random = rng(0x3e7e7ed);
  upstream = await startUpstream((req, res) => {
    const url = new URL(req.url ?? '/', 'http://upstream');
    const n = Number(url.searchParams.get('n'));
    if (url.pathname === '/api/fixed') return json(res, 200, { n });
    const report = reportOf(random);
    reported.set(n, report);
    const body = JSON.stringify({ n, used: report ?? null });
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...(report === undefined ? {} : { 'RDN-Charge': report }),
    });
    res.end(body);
  });
  const { topics } = ledgerFixture;
  gateway = await startGateway({
    DATABASE_URL: gatewayDb.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    DEPLOYMENT_FILE: chain.deploymentFile,
    UPSTREAM_URL: upstream.url,
    ROUTES_FILE: writeRoutesFile([
      { path: '/api/metered', maxPrice: CEILING.toString() },
      { path: '/api/fixed', price: FIXED_PRICE.toString() },
    ]),
    RECEIVER_PRIVATE_KEY: anvilKey(1),
    GATEWAY_ID: 'metered-revenue',
    MICRORAIDEN_DEV: '1',
    CHANNELS_TOPIC: topics.channels,
    BALANCE_PROOFS_TOPIC: topics.balanceProofs,
    DEAD_LETTER_TOPIC: uniqueTopic('metered-gateway.dead-letter'),
    KAFKA_GROUP_ID: uniqueTopic('metered-gateway'),
  });
  ledger = await startLedger(ledgerFixture);
  const minter = new Wallet(senderKey, chain.provider);
  await (await microTokenAt(chain.deployment.token, minter).mint(sender, DEPOSIT)).wait();
  relay = startChannelRelay({
    provider: chain.provider,
    deployment: chain.deployment,
    client: kafka,
    topic: topics.channels,
    fromBlock: await chain.provider.getBlockNumber(),
  });
  client = new Client(
    { privateKey: senderKey },
    {
      rpcUrl: inject('rpcUrl'),
      deployment: chain.deployment,
      stateStore: memoryStateStore(),
      pollingIntervalMs: 50,
    },
  );
});

afterAll(async () => {
  await client?.close();
  await relay?.stop();
  await gateway?.close();
  await ledger?.app.close();
  await upstream?.close();
  await ledgerFixture?.close();
  await gatewayDb?.drop();
  chain?.close();
});

describe('metered prices: gateway, client SDK and ledger agree on every charge', () => {
  const receipts: Array<{ n: number; fixed: boolean; paid: PaidAmount }> = [];
  let channelId: Hex32;

  it(`pays ${REQUESTS} requests, each charged what the upstream used, clamped to [1, ceiling]`, async () => {
    const started = Date.now();
    const laps: number[] = [started];
    for (let n = 0; n < REQUESTS; n++) {
      const fixed = n % 10 === 4;
      const url = `${gateway.url}/api/${fixed ? 'fixed' : 'metered'}?n=${n}`;
      const { response, paid } = await paidFetch(url, undefined, {
        wallet: client,
        maxPricePerRequest: FIXED_PRICE,
        maxDeposit: DEPOSIT,
      });
      expect(response.status, `request ${n}: ${await response.clone().text()}`).toBe(200);
      // RDN-Charge is the gateway's business: it never reaches the client.
      expect(response.headers.get('rdn-charge')).toBeNull();
      await response.arrayBuffer();
      expect(paid, `request ${n}`).not.toBeNull();
      receipts.push({ n, fixed, paid: paid! });
      if (n % 100 === 99) laps.push(Date.now());
    }
    const per100 = laps.slice(1).map((t, i) => t - laps[i]!);
    console.log(
      `metered revenue: ${REQUESTS} paid requests in ${Date.now() - started} ms (per 100: ${per100.join(', ')})`,
    );
    channelId = receipts[0]!.paid.channelId;
    expect(new Set(receipts.map((r) => r.paid.channelId))).toEqual(new Set([channelId]));

    const expected = receipts.map((r) => (r.fixed ? FIXED_PRICE : chargeFor(reported.get(r.n))));
    expect(receipts.map((r) => r.paid.amount)).toEqual(expected);
    // The upstream's reports covered every case the spec names.
    const reports = [...reported.values()];
    expect(reports.filter((r) => r === undefined).length).toBeGreaterThan(10);
    expect(reports.filter((r) => r !== undefined && BigInt(r) > CEILING).length).toBeGreaterThan(30);
    expect(reports.filter((r) => r === '0').length).toBeGreaterThan(5);

    // The two balances: C is the sum of the charges; S - C never exceeds one ceiling (what the client authorised).
    let charged = 0n;
    for (const { paid } of receipts) {
      charged += paid.amount;
      expect(paid.chargedBalance).toBe(charged);
      expect(paid.balance - paid.chargedBalance).toBeGreaterThanOrEqual(0n);
      expect(paid.balance - paid.chargedBalance).toBeLessThan(CEILING);
    }
    // Metered requests charged less than they authorised: the two balances did part.
    expect(receipts.filter((r) => r.paid.balance > r.paid.chargedBalance).length).toBeGreaterThan(
      REQUESTS / 2,
    );
    const channel = await client.channel(channelId);
    expect(channel.chargedBalance).toBe(charged);
    expect(channel.acknowledgedBalance).toBe(receipts.at(-1)!.paid.balance);
    // ~60 s for the 1,000 on the shared 2-core machine (load ~20), the first 100 with the channel's opening and
    // confirmations; a generous bound so load alone cannot fail it.
  }, 300_000);

  it('projects the same revenue in the ledger: sum of charges == sum of RDN-Cost, per channel and per route', async () => {
    const total = receipts.reduce((sum, r) => sum + r.paid.amount, 0n);
    const last = receipts.at(-1)!.paid;
    const path = `/api/1/channels/${channelId}`;
    await waitFor(
      'the ledger to project every acceptance',
      async () => (await getJson<Record<string, unknown>>(ledger!.url, path)).body.proofCount === REQUESTS,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const { body } = await getJson<Record<string, unknown>>(ledger!.url, path);
    expect(body).toMatchObject({
      chargedBalance: total.toString(),
      balance: last.balance.toString(),
      proofCount: REQUESTS,
    });
    const routes = await getJson<{ items: Array<Record<string, string>> }>(
      ledger!.url,
      '/api/1/revenue/routes',
    );
    const byRoute = (fixed: boolean) =>
      receipts.filter((r) => r.fixed === fixed).reduce((sum, r) => sum + r.paid.amount, 0n);
    expect(new Map(routes.body.items.map((r) => [r.route, BigInt(r.amount!)]))).toEqual(
      new Map([
        ['/api/metered', byRoute(false)],
        ['/api/fixed', byRoute(true)],
      ]),
    );
    expect(byRoute(true)).toBe(FIXED_PRICE * BigInt(REQUESTS / 10));
  }, 90_000);

  it('closes cooperatively at the charged balance: the receiver is paid what it charged, not the ceilings signed', async () => {
    const charged = receipts.at(-1)!.paid.chargedBalance;
    const outcome = await client.channel(channelId).then((channel) => channel.close());
    expect(outcome).toMatchObject({ kind: 'cooperative', balance: charged, receiverPaid: charged });
  }, 60_000);
});
