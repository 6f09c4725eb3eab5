import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeEvent, type BalanceProofAcceptedV1 } from '@microraiden/events';
import {
  channelDomain,
  encodePayment,
  parseReceipt,
  privateKeyToAddress,
  recoverBalanceProofSigner,
  signBalanceProof,
  type Hex32,
} from '@microraiden/protocol';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  migrateGatewaySchema,
  Paywall,
  PaywallProxy,
  PgChannelStore,
  RouteTable,
  UpstreamClient,
  type ProxyResponse,
} from '../src';

// anvil's public test keys: never funds of value.
const SENDER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const sender = privateKeyToAddress(SENDER_KEY);
const receiver = privateKeyToAddress('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const domain = channelDomain(31337n, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
const CEILING = 1_000n;
const REQUESTS = 1_000;
const OUTBOX = 'outbox_metered_test';

/** What the test tells the upstream to do for one request, and what the gateway must charge for it. */
type Plan =
  | { readonly kind: 'report'; readonly amount: bigint }
  | { readonly kind: 'silent' }
  | { readonly kind: 'garbage' }
  | { readonly kind: 'fail'; readonly status: number };

/** A deterministic generator (xorshift32), so a failure can be replayed from its seed. */
function generator(seed: number) {
  let state = seed >>> 0 || 1;
  return (below: number): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % below;
  };
}

function planOf(next: (below: number) => number): Plan {
  const roll = next(100);
  if (roll < 8) return { kind: 'fail', status: [404, 500, 503][next(3)] as number };
  if (roll < 14) return { kind: 'silent' };
  if (roll < 18) return { kind: 'garbage' };
  if (roll < 26) return { kind: 'report', amount: CEILING + 1n + BigInt(next(5_000)) };
  if (roll < 30) return { kind: 'report', amount: 0n };
  return { kind: 'report', amount: BigInt(next(Number(CEILING) + 1)) };
}

/** docs/protocol.md 7.2: what a metered request is charged. */
function expectedCharge(plan: Plan): bigint {
  switch (plan.kind) {
    case 'fail':
      return 0n;
    case 'silent':
    case 'garbage':
      return CEILING;
    case 'report':
      return plan.amount > CEILING ? CEILING : plan.amount < 1n ? 1n : plan.amount;
  }
}

// The upstream behind the proxy: it reports a metered cost in RDN-Charge, as the test's X-Test-Plan says.
function upstream(req: IncomingMessage, res: ServerResponse): void {
  const plan = JSON.parse(String(req.headers['x-test-plan'])) as { kind: Plan['kind']; value: string };
  if (plan.kind === 'fail') {
    res.writeHead(Number(plan.value), { 'content-type': 'text/plain' });
    return void res.end('failed');
  }
  const charge =
    plan.kind === 'report'
      ? { 'RDN-Charge': plan.value }
      : plan.kind === 'garbage'
        ? { 'RDN-Charge': '12.5' }
        : {};
  res.writeHead(200, { 'content-type': 'application/json', ...charge });
  res.end('{"completion":"ok"}');
}

describe('metered prices through the reverse proxy on Postgres', () => {
  let pool: Pool;
  let server: Server;
  let client: UpstreamClient;
  let proxy: PaywallProxy;
  const logged: string[] = [];
  const channelId = `0x${randomBytes(32).toString('hex')}` as Hex32;

  beforeAll(async () => {
    pool = new Pool({ connectionString: inject('databaseUrl'), max: 4 });
    await migrateGatewaySchema(pool, { outboxTable: OUTBOX });
    await pool.query(
      `INSERT INTO gateway_channels (channel_id, sender, receiver, deposit, confirmed) VALUES ($1, $2, $3, $4, true)`,
      [channelId, sender, receiver, (10n ** 12n).toString()],
    );
    server = createServer(upstream);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new UpstreamClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const paywall = new Paywall({
      identity: {
        receiver,
        domain,
        token: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
        gatewayPath: '/api/1',
      },
      routes: new RouteTable([{ match: { prefix: '/llm/' }, rule: { kind: 'metered', maxPrice: CEILING } }]),
      store: new PgChannelStore(pool, { outboxTable: OUTBOX }),
      gatewayId: 'metered-int',
      log: (message) => logged.push(message),
    });
    proxy = new PaywallProxy(paywall, client);
  });

  afterAll(async () => {
    await client?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await pool?.query(`DELETE FROM gateway_channels WHERE channel_id = $1`, [channelId]);
    await pool?.query(`DELETE FROM ${OUTBOX} WHERE key = $1`, [channelId]);
    await pool?.end();
  });

  async function send(balance: bigint, plan: Plan): Promise<ProxyResponse> {
    const signature = signBalanceProof(SENDER_KEY, domain, { channelId, receiver, balance });
    const payment = encodePayment({ sender, channelId, balance, signature });
    const value =
      plan.kind === 'fail' ? String(plan.status) : plan.kind === 'report' ? String(plan.amount) : '';
    const headers = Object.fromEntries(Object.entries(payment).map(([name, v]) => [name.toLowerCase(), v]));
    return proxy.handle({
      method: 'POST',
      url: '/llm/complete',
      headers: {
        ...headers,
        host: 'gateway.test',
        'x-test-plan': JSON.stringify({ kind: plan.kind, value }),
      },
      protocol: 'http',
    });
  }

  it(`charges ${REQUESTS} metered requests exactly what docs/protocol.md 7.2 says, in the table and in the events`, async () => {
    const seed = Number(process.env.METERED_SEED ?? 12);
    const next = generator(seed);
    let signed = 0n; // S, as the receipts say
    let charged = 0n; // C, as the receipts say
    let expected = 0n;
    for (let i = 0; i < REQUESTS; i++) {
      const plan = planOf(next);
      // The client's rule: the next proof authorises the ceiling on top of C, and is above S.
      const balance = signed + 1n > charged + CEILING ? signed + 1n : charged + CEILING;
      const response = await send(balance, plan);
      const header = (name: string) => response.headers[name] as string | undefined;
      expect(header('rdn-charge') ?? header('RDN-Charge'), `request ${i}`).toBeUndefined();
      const receipt = parseReceipt(response.headers);
      if (!receipt.ok || receipt.value === undefined)
        throw new Error(`request ${i}: no receipt (seed ${seed})`);
      const charge = expectedCharge(plan);
      expect(
        receipt.value.cost,
        `request ${i} (seed ${seed}, ${JSON.stringify(plan, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))})`,
      ).toBe(charge);
      expect(response.status).toBe(plan.kind === 'fail' ? plan.status : 200);
      if (charge > 0n) signed = receipt.value.senderBalance;
      expect(receipt.value.senderBalance).toBe(signed);
      expected += charge;
      charged = receipt.value.chargedBalance ?? receipt.value.senderBalance;
      expect(charged, `request ${i}`).toBe(expected);
      // The receiver's worst-case over-claim: never more than one ceiling above what was charged.
      expect(signed - charged <= CEILING).toBe(true);
    }

    const { rows } = await pool.query<{ accepted: string; charged: string; sig: string; n: string }>(
      `SELECT accepted_balance::text AS accepted, charged_balance::text AS charged, last_signature AS sig,
              paid_requests::text AS n
       FROM gateway_channels WHERE channel_id = $1`,
      [channelId],
    );
    expect(rows[0]).toMatchObject({ accepted: signed.toString(), charged: expected.toString() });

    const outbox = await pool.query<{ payload: Buffer }>(
      `SELECT payload FROM ${OUTBOX} WHERE key = $1 ORDER BY id`,
      [channelId],
    );
    const events = outbox.rows.map(({ payload }) => {
      const decoded = decodeEvent(payload);
      if (!decoded.ok) throw decoded.error;
      return decoded.event as BalanceProofAcceptedV1;
    });
    expect(events.length).toBe(Number(rows[0]!.n));
    let previous = 0n;
    let revenue = 0n;
    for (const { data } of events) {
      // The signed chain: each proof continues the last, and each signature is the sender's for its balance.
      expect(data.previousBalance).toBe(previous);
      expect(
        recoverBalanceProofSigner(domain, { channelId, receiver, balance: data.balance }, data.signature),
      ).toEqual({
        ok: true,
        value: sender,
      });
      previous = data.balance;
      revenue += data.charge ?? data.increment;
      expect(data.chargedBalance ?? data.balance).toBe(revenue);
    }
    expect(previous).toBe(signed);
    expect(revenue).toBe(expected);
    expect(events.at(-1)?.data.signature).toBe(rows[0]!.sig);
    expect(logged.some((message) => message.includes('above the ceiling'))).toBe(true);
    expect(logged.some((message) => message.includes('malformed'))).toBe(true);
  });
});
