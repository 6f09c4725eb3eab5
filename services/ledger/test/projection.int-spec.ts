import { aBalanceProofCloseSigned, type Hex, type MicroraidenEvent } from '@microraiden/events';
import { openLedgerDatabase, rebuildLedger } from '@microraiden/ledger';
import { repoRoot } from '@microraiden/testing';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { aChannelStream, type ExpectedLedger } from './support/channel-stream';
import {
  createLedgerFixture,
  getJson,
  startLedger,
  testClient,
  waitUntilCaughtUp,
  type LedgerFixture,
  OPERATOR_AUTH,
} from './support/ledger-harness';
import { projectionSnapshot } from './support/projection-snapshot';

type Item = Record<string, string>;
const run = promisify(execFile);

let fixture: LedgerFixture;
let ledger: Awaited<ReturnType<typeof startLedger>> | undefined;

beforeAll(async () => {
  fixture = await createLedgerFixture('ledger_projection', 3);
});
afterAll(async () => {
  await ledger?.app.close();
  await fixture?.close();
});

/** Merge the expectations of several streams published to the same topics. */
function merge(...all: ExpectedLedger[]) {
  const sum = (pick: (e: ExpectedLedger) => Map<string, bigint>) => {
    const total = new Map<string, bigint>();
    for (const e of all) for (const [k, v] of pick(e)) total.set(k, (total.get(k) ?? 0n) + v);
    return total;
  };
  return {
    channels: new Map(all.flatMap((e) => [...e.channels])),
    byRoute: sum((e) => e.byRoute),
    bySender: sum((e) => e.bySender),
    byDay: sum((e) => e.byDay),
    fundsAtRisk: all.reduce((s, e) => s + e.fundsAtRisk, 0n),
    ignored: all.flatMap((e) => e.ignored),
  };
}

async function expectProjection(url: string, expected: ReturnType<typeof merge>) {
  for (const [channelId, want] of expected.channels) {
    const { status, body } = await getJson<Item>(url, `/api/1/channels/${channelId}`);
    expect(status, channelId).toBe(200);
    expect(body).toMatchObject({
      channelId,
      status: want.status,
      deposit: want.deposit.toString(),
      balance: want.balance.toString(),
      chargedBalance: want.chargedBalance.toString(),
      withdrawn: want.withdrawn.toString(),
      proofCount: want.proofs,
      sender: want.sender,
    });
  }
  const routes = await getJson<{ items: Item[] }>(url, '/api/1/revenue/routes');
  expect(new Map(routes.body.items.map((r) => [`${r.method} ${r.route}`, BigInt(r.amount!)]))).toEqual(
    expected.byRoute,
  );
  const senders = await getJson<{ items: Item[] }>(url, '/api/1/revenue/senders');
  expect(new Map(senders.body.items.map((r) => [r.sender!, BigInt(r.amount!)]))).toEqual(expected.bySender);
  const days = await getJson<{ items: Item[] }>(url, '/api/1/revenue/days');
  expect(new Map(days.body.items.map((r) => [r.day!, BigInt(r.amount!)]))).toEqual(expected.byDay);
  const risk = await getJson<{ total: string }>(url, '/api/1/funds-at-risk');
  expect(BigInt(risk.body.total)).toBe(expected.fundsAtRisk);
  await expectTotalsMetrics(url, expected);
}

/** The fleet-wide gauges only the ledger exports agree with what its API answers. */
async function expectTotalsMetrics(url: string, expected: ReturnType<typeof merge>) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (series: string) => Number(new RegExp(`^${series} (\\S+)$`, 'm').exec(text)?.[1]);
  expect(value('microraiden_ledger_funds_at_risk_base_units\\{service="ledger"\\}')).toBe(
    Number(expected.fundsAtRisk),
  );
  const revenue = [...expected.byRoute.values()].reduce((a, b) => a + b, 0n);
  expect(value('microraiden_ledger_accepted_revenue_base_units\\{service="ledger"\\}')).toBe(Number(revenue));
  for (const status of ['pending', 'open', 'closing', 'settled']) {
    const count = [...expected.channels.values()].filter((c) => c.status === status).length;
    expect(value(`microraiden_ledger_channels\\{status="${status}",service="ledger"\\}`), status).toBe(count);
  }
}

describe('ledger projection (real Kafka and Postgres)', () => {
  const first = aChannelStream('first');
  const second = aChannelStream('second');

  it('projects a realistic stream, proofs before their channel included', async () => {
    ledger = await startLedger(fixture);
    // Channel 3's proofs are published before its creation: they must be kept, not dropped.
    const early = first.proofs.filter((p) => p.data.channelId === [...first.expected.channels.keys()][3]);
    await fixture.publish(early);
    await fixture.publish(first.chain);
    await fixture.publish(first.proofs.filter((p) => !early.includes(p)));
    await fixture.publish(first.metered);
    await waitUntilCaughtUp(ledger.runtime);

    await expectProjection(ledger.url, merge(first.expected));

    const list = await getJson<{ items: Item[]; total: number }>(
      ledger.url,
      '/api/1/channels?limit=2&offset=0',
    );
    expect(list.body.total).toBe(first.expected.channels.size); // the unknown channel's top-up left no row
    expect(list.body.items).toHaveLength(2);
    const settled = await getJson<{ items: Item[]; total: number }>(
      ledger.url,
      '/api/1/channels?status=settled',
    );
    expect(settled.body.items.map((c) => c.channelId)).toEqual([[...first.expected.channels.keys()][2]]);
    expect(settled.body.items[0]).toMatchObject({
      closeBalance: settled.body.items[0]!.balance,
      settleAt: '1800000000',
    });
    const pending = await getJson<{ items: Item[] }>(ledger.url, '/api/1/channels?status=pending');
    expect(pending.body.items.map((c) => c.channelId)).toEqual([[...first.expected.channels.keys()][4]]);

    const c0 = [...first.expected.channels.keys()][0]!;
    const lastOfC0 = first.proofs.filter((p) => p.data.channelId === c0 && p.data.balance > 5n).at(-1)!;
    const proof = await getJson<Item>(ledger.url, `/api/1/channels/${c0}/latest-proof`);
    expect(proof.body).toMatchObject({
      channelId: c0,
      balance: lastOfC0.data.balance.toString(),
      signature: lastOfC0.data.signature,
      eventId: lastOfC0.id,
    });

    const ignored = await getJson<{ items: Item[]; total: number }>(
      ledger.url,
      '/api/1/audit?outcome=ignored&limit=500',
    );
    expect(
      ignored.body.items.map((row) => ({ channelId: row.channelId, reason: row.reason })).sort(byChannel),
    ).toEqual([...first.expected.ignored].sort(byChannel));
    const applied = await getJson<{ total: number }>(ledger.url, '/api/1/audit?outcome=applied&limit=1');
    expect(applied.body.total).toBe(
      first.chain.length + first.proofs.length + first.metered.length - first.expected.ignored.length,
    );
  });

  it('answers errors through the service kit filter', async () => {
    const url = ledger!.url;
    expect(await getJson(url, `/api/1/channels/0x${'00'.repeat(32)}`)).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND' } },
    });
    expect(await getJson(url, '/api/1/channels/0x1234')).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED' } },
    });
    expect(await getJson(url, '/api/1/channels?limit=0&sender=nope')).toMatchObject({
      status: 400,
      body: {
        error: { code: 'VALIDATION_FAILED', message: expect.stringMatching(/limit.*sender|sender.*limit/s) },
      },
    });
    const doc = await getJson<{ paths: Record<string, unknown> }>(url, '/docs/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/1/channels',
        '/api/1/channels/{channelId}',
        '/api/1/channels/{channelId}/latest-proof',
        '/api/1/revenue/routes',
        '/api/1/revenue/senders',
        '/api/1/revenue/days',
        '/api/1/funds-at-risk',
      ]),
    );
  });

  it('does not double count duplicated events or across a restart mid-stream', async () => {
    const half = Math.floor(second.proofs.length / 2);
    const duplicates: MicroraidenEvent[] = [
      ...first.proofs.slice(0, 20),
      ...first.chain.slice(0, 3),
      ...first.metered.slice(0, 8),
    ];
    await fixture.publish([...second.chain, ...second.proofs.slice(0, half), ...duplicates]);
    // Stop while that is (most likely) still being consumed; the rest arrives while no ledger runs.
    await ledger!.app.close();
    await fixture.publish([
      ...second.proofs.slice(half),
      ...second.metered,
      ...second.proofs.slice(0, 10),
      ...duplicates,
    ]);
    // The restarted ledger applies its three partitions at once: the totals below must come out the same.
    ledger = await startLedger(fixture, { PARTITIONS_CONCURRENTLY: '3' });
    await waitUntilCaughtUp(ledger.runtime);

    await expectProjection(ledger.url, merge(first.expected, second.expected));
    const applied = await getJson<{ total: number }>(ledger.url, '/api/1/audit?outcome=applied&limit=1');
    const distinct = [first, second].reduce(
      (n, s) => n + s.chain.length + s.proofs.length + s.metered.length - s.expected.ignored.length,
      0,
    );
    expect(applied.body.total).toBe(distinct);
    // Duplicates leave no trace at all, not even an "ignored" audit row.
    const ignored = await getJson<{ total: number }>(ledger.url, '/api/1/audit?outcome=ignored&limit=1');
    expect(ignored.body.total).toBe(first.expected.ignored.length + second.expected.ignored.length);
    const metrics = await (await fetch(`${ledger.url}/metrics`)).text();
    expect(metrics).toMatch(/microraiden_ledger_consumer_lag\{topic="[^"]+",partition="\d"[^}]*\} 0/);
  });

  it('records a cooperative close the receiver signed, once however often it is published', async () => {
    const channelId = [...first.expected.channels.keys()][3]!;
    const last = first.proofs
      .filter((p) => p.data.channelId === channelId)
      .reduce((a, b) => (b.data.balance > a.data.balance ? b : a));
    const fields = { channelId, sender: last.data.sender, balance: last.data.balance };
    const signed = aBalanceProofCloseSigned({ ...fields, signedAt: '2025-01-03T00:00:00.000Z' });
    // The gateway asked again for the same balance (another replica, later): same id, so no second record.
    const again = aBalanceProofCloseSigned({
      ...fields,
      signedAt: '2025-01-03T00:05:00.000Z',
      gatewayId: 'other-replica',
    });
    const appliedBefore = await getJson<{ total: number }>(
      ledger!.url,
      '/api/1/audit?outcome=applied&limit=1',
    );
    await fixture.publish([signed, again]);
    await waitUntilCaughtUp(ledger!.runtime);

    const { body } = await getJson<Item>(ledger!.url, `/api/1/channels/${channelId}`);
    expect(body).toMatchObject({
      status: 'open',
      balance: last.data.balance.toString(),
      closeSignedBalance: last.data.balance.toString(),
      closeSignedAt: '2025-01-03T00:00:00.000Z',
    });
    const appliedAfter = await getJson<{ total: number }>(
      ledger!.url,
      '/api/1/audit?outcome=applied&limit=1',
    );
    expect(appliedAfter.body.total).toBe(appliedBefore.body.total + 1);
    // The operator page lists the most recently active channels first: this one, with its note.
    const page = await (await fetch(`${ledger!.url}/operator`, { headers: OPERATOR_AUTH })).text();
    expect(page).toContain('cooperative close signed at');
  });

  it('rebuilds the same projection by replaying the topics from the start', async () => {
    const live = await projectionSnapshot(fixture.db.url);
    expect(live.channels!.length).toBe(14);
    const database = openLedgerDatabase(fixture.db.url);
    const rebuild = () =>
      rebuildLedger({
        database,
        client: testClient('ledger-rebuild'),
        groupId: fixture.groupId,
        topics: fixture.topics,
        timeoutMs: 90_000,
        maxWaitTimeMs: 100,
      });
    try {
      // Never under a live projection: it would keep writing from its in-memory positions.
      await expect(rebuild()).rejects.toMatchObject({ code: 'LEDGER_IN_USE' });
      expect(await projectionSnapshot(fixture.db.url)).toEqual(live);
      await ledger!.app.close();
      ledger = undefined;
      expect((await rebuild()).events).toBe(live.audit!.length);
    } finally {
      await database.close();
    }
    const rebuilt = await projectionSnapshot(fixture.db.url);
    for (const table of Object.keys(live)) expect(rebuilt[table], table).toEqual(live[table]);

    // And through the operator command, configured like the service.
    const { stdout } = await run('node', ['-r', '@swc-node/register', 'services/ledger/src/rebuild.ts'], {
      cwd: repoRoot(),
      env: {
        ...process.env,
        DATABASE_URL: fixture.db.url,
        KAFKA_BROKERS: inject('kafkaBrokers'),
        KAFKA_GROUP_ID: fixture.groupId,
        BALANCE_PROOFS_TOPIC: fixture.topics.balanceProofs,
        CHANNELS_TOPIC: fixture.topics.channels,
        DEAD_LETTER_TOPIC: fixture.topics.deadLetter,
      },
      timeout: 120_000,
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({
      msg: 'rebuilt',
      events: live.audit!.length,
    });
    const viaCommand = await projectionSnapshot(fixture.db.url);
    for (const table of Object.keys(live)) expect(viaCommand[table], table).toEqual(live[table]);
  });
});

function byChannel(
  a: { channelId?: string | Hex; reason?: string },
  b: { channelId?: string | Hex; reason?: string },
) {
  return `${a.channelId}${a.reason}`.localeCompare(`${b.channelId}${b.reason}`);
}
