import {
  aBalanceProofAccepted,
  aChannelCreated,
  aChannelId,
  aChannelToppedUp,
  aRetraction,
  type BalanceProofAcceptedV1,
  type Hex,
} from '@microraiden/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLedgerFixture,
  getJson,
  startLedger,
  waitUntilCaughtUp,
  type LedgerFixture,
  OPERATOR_AUTH,
} from './support/ledger-harness';

// Issue 10 item 3: after a reorg retracts a top-up (or a creation) the ledger must not keep showing the revenue
// accepted against it as ordinary funds at risk: it flags the part above the confirmed deposit.
const PRICE = 1_000n;

let fixture: LedgerFixture;
let ledger: Awaited<ReturnType<typeof startLedger>> | undefined;

beforeAll(async () => {
  fixture = await createLedgerFixture('ledger_over_deposit', 3);
  ledger = await startLedger(fixture);
});
afterAll(async () => {
  await ledger?.app.close();
  await fixture?.close();
});

/** Proofs 1..count prices on `channelId`, as the gateways accept them. */
const proofsUpTo = (channelId: Hex, count: number): BalanceProofAcceptedV1[] =>
  Array.from({ length: count }, (_, i) =>
    aBalanceProofAccepted({
      channelId,
      balance: BigInt(i + 1) * PRICE,
      previousBalance: BigInt(i) * PRICE,
      price: PRICE,
    }),
  );

const gauge = async (name: string) => {
  const text = await (await fetch(`${ledger!.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};

const channelView = async (channelId: Hex) =>
  (await getJson<Record<string, unknown>>(ledger!.url, `/api/1/channels/${channelId}`)).body;

describe('ledger: revenue above the confirmed deposit', () => {
  const toppedUp = aChannelId('over-deposit-top-up');
  const created = aChannelCreated({ channelId: toppedUp, deposit: 5n * PRICE, blockNumber: 100 });
  const topUp = aChannelToppedUp({
    channelId: toppedUp,
    added: 15n * PRICE,
    deposit: 20n * PRICE,
    blockNumber: 101,
  });
  const orphan = aChannelId('over-deposit-creation');
  const orphanCreated = aChannelCreated({ channelId: orphan, deposit: 5n * PRICE, blockNumber: 102 });

  it('shows nothing over deposit while the deposit covers the accepted balance', async () => {
    await fixture.publish([
      created,
      topUp,
      orphanCreated,
      ...proofsUpTo(toppedUp, 12),
      ...proofsUpTo(orphan, 3),
    ]);
    await waitUntilCaughtUp(ledger!.runtime);
    expect(await channelView(toppedUp)).toMatchObject({
      status: 'open',
      deposit: (20n * PRICE).toString(),
      balance: (12n * PRICE).toString(),
      overDeposit: '0',
    });
    expect(await gauge('microraiden_ledger_channels_over_deposit')).toBe(0);
    expect(await gauge('microraiden_ledger_revenue_over_deposit')).toBe(0);
  });

  it('flags 7 prices when the top-up under 12 accepted prices is retracted, and a retracted creation as a whole', async () => {
    await fixture.publish([aRetraction(topUp), aRetraction(orphanCreated)]);
    await waitUntilCaughtUp(ledger!.runtime);

    expect(await channelView(toppedUp)).toMatchObject({
      status: 'open',
      deposit: (5n * PRICE).toString(),
      balance: (12n * PRICE).toString(),
      overDeposit: (7n * PRICE).toString(),
    });
    // The creation is gone: no deposit at all, the whole accepted balance is over it (not a silent "pending").
    expect(await channelView(orphan)).toMatchObject({
      status: 'pending',
      deposit: '0',
      balance: (3n * PRICE).toString(),
      overDeposit: (3n * PRICE).toString(),
    });
    const risk = await getJson<{ channels: Array<Record<string, string>> }>(
      ledger!.url,
      '/api/1/funds-at-risk',
    );
    expect(risk.body.channels.find((c) => c.channelId === toppedUp)).toMatchObject({
      atRisk: (12n * PRICE).toString(),
      overDeposit: (7n * PRICE).toString(),
    });
    expect(await gauge('microraiden_ledger_channels_over_deposit')).toBe(2);
    expect(await gauge('microraiden_ledger_revenue_over_deposit')).toBe(Number(10n * PRICE));

    const page = await (await fetch(`${ledger!.url}/operator`, { headers: OPERATOR_AUTH })).text();
    expect(page).toContain('<span data-field="channels-over-deposit">2</span>');
    expect(page).toContain(
      `class="num warn" data-field="revenue-over-deposit" data-base-units="${10n * PRICE}"`,
    );
  });

  it('clears the flag when the top-up is mined again (a new chain position)', async () => {
    await fixture.publish([
      aChannelToppedUp({ channelId: toppedUp, added: 15n * PRICE, deposit: 20n * PRICE, blockNumber: 110 }),
    ]);
    await waitUntilCaughtUp(ledger!.runtime);
    expect(await channelView(toppedUp)).toMatchObject({
      deposit: (20n * PRICE).toString(),
      overDeposit: '0',
    });
    expect(await gauge('microraiden_ledger_channels_over_deposit')).toBe(1);
    expect(await gauge('microraiden_ledger_revenue_over_deposit')).toBe(Number(3n * PRICE));
  });
});
