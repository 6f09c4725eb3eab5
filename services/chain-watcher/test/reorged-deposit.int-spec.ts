import { createTestDatabase, uniqueTopic, type TestDatabase } from '@microraiden/testing';
import { ZeroAddress } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnLedger, type LedgerProcess } from './support/ledger-process';
import { WatcherFixture, type TestChannel } from './support/watcher-fixture';

// Issue 10 item 3, end to end on a real anvil, Kafka and Postgres: the chain-watcher follows the chain and
// disputes, the ledger (its own process) projects the same topics, proofs are published as the gateways do.
const P = 1_000n; // one price
const CONFIRMATIONS = 2;

describe('a deposit reorged out after proofs were accepted against it', () => {
  let f: WatcherFixture;
  let ledgerDb: TestDatabase;
  let ledger: LedgerProcess;

  beforeAll(async () => {
    f = await WatcherFixture.start({ CONFIRMATIONS: String(CONFIRMATIONS), TX_REPLACE_AFTER_MS: '1000' });
    await f.startApp();
    ledgerDb = await createTestDatabase({ prefix: 'ledger_reorg' });
    ledger = await spawnLedger({
      DATABASE_URL: ledgerDb.url,
      KAFKA_BROKERS: f.env.KAFKA_BROKERS!,
      CHANNELS_TOPIC: f.env.CHANNELS_TOPIC!,
      BALANCE_PROOFS_TOPIC: f.env.BALANCE_PROOFS_TOPIC!,
      DEAD_LETTER_TOPIC: uniqueTopic('cw-ledger-dead-letter'),
      KAFKA_GROUP_ID: uniqueTopic('cw-ledger'),
      TOPIC_PARTITIONS: '3',
    });
  });
  afterAll(async () => {
    await ledger?.stop();
    await f?.stop();
    await ledgerDb?.drop();
  });

  const ledgerView = (channel: TestChannel) =>
    ledger.json<Record<string, string>>(`/api/1/channels/${channel.channelId.toLowerCase()}`);
  const ledgerShows = (what: string, channel: TestChannel, fields: Record<string, string>) =>
    f.until(
      what,
      async () => {
        const view = await ledgerView(channel);
        return Object.entries(fields).every(([key, value]) => view[key] === value);
      },
      30_000,
    );
  const paidUpTo = (channel: TestChannel, prices: number) =>
    f.publishProofs(
      Array.from({ length: prices }, (_, i) => ({
        channel,
        balance: BigInt(i + 1) * P,
        previousBalance: BigInt(i) * P,
      })),
    );
  /** Replace every block from `fromBlock` to the head with empty ones (same height): its transactions are gone. */
  const reorgOutFrom = async (fromBlock: number) => {
    const head = await f.provider.getBlockNumber();
    expect(head - fromBlock).toBeGreaterThanOrEqual(CONFIRMATIONS); // deeper than the confirmations
    await f.provider.send('anvil_reorg', [head - fromBlock + 1, []]);
  };

  it('top-up reorged out under 12 accepted prices: the receiver still wins the 5 prices on chain, the ledger flags 7', async () => {
    const sender = await f.fundedSender(100n * P);
    const channel = await f.openChannel(sender, 5n * P);
    const topUp = await (await f.manager.connect(sender).topUp(channel.channelId, 15n * P)).wait();
    await f.mine(CONFIRMATIONS);
    await ledgerShows('the confirmed top-up in the ledger', channel, { deposit: String(20n * P) });
    await paidUpTo(channel, 12);
    await f.until('the watcher holds the 12-price proof', async () => {
      return (await f.storedProof(channel.channelId)) === 12n * P;
    });
    await ledgerShows('12 prices accepted', channel, { balance: String(12n * P), overDeposit: '0' });

    await reorgOutFrom(topUp!.blockNumber);
    expect((await f.manager.getChannel(channel.channelId))[2]).toBe(5n * P);

    await ledgerShows('the retracted top-up flagged', channel, {
      status: 'open',
      deposit: String(5n * P),
      balance: String(12n * P),
      overDeposit: String(7n * P),
    });
    expect(await ledger.metric('microraiden_ledger_channels_over_deposit')).toBe(1);
    expect(await ledger.metric('microraiden_ledger_revenue_over_deposit')).toBe(Number(7n * P));

    // The sender bets that the receiver's only proof (12 > deposit 5) is useless, and closes at 0.
    await (await f.manager.connect(sender).uncooperativeClose(channel.channelId, 0n)).wait();
    expect((await f.manager.getChannel(channel.channelId))[2]).toBe(5n * P); // the top-up stayed out
    await f.mine(CONFIRMATIONS);
    await f.until(
      'the close disputed and the channel settled',
      async () => (await f.manager.getChannel(channel.channelId))[0] === ZeroAddress,
    );
    expect(await f.token.balanceOf(f.receiver.address)).toBe(5n * P);
    expect(await f.token.balanceOf(sender.address)).toBe(95n * P);
    await f.until(
      'dispute task won',
      async () => (await f.taskStatuses()).get(channel.channelId.toLowerCase()) === 'won',
    );

    // Settled: the excess is lost, not at risk any more; the channel record keeps saying how much.
    await f.mine(CONFIRMATIONS);
    await ledgerShows('the settlement in the ledger', channel, {
      status: 'settled',
      receiverPaid: String(5n * P),
      overDeposit: String(7n * P),
    });
    expect(await ledger.metric('microraiden_ledger_channels_over_deposit')).toBe(0);
  });

  it('creation reorged out under 3 accepted prices: the ledger flags the whole balance, not a silent "pending"', async () => {
    const sender = await f.fundedSender(100n * P);
    const channel = await f.openChannel(sender, 5n * P);
    const createdAt = await f.provider.getBlockNumber();
    await f.mine(CONFIRMATIONS);
    await ledgerShows('the channel open in the ledger', channel, { status: 'open' });
    await paidUpTo(channel, 3);
    await ledgerShows('3 prices accepted', channel, { balance: String(3n * P), overDeposit: '0' });

    await reorgOutFrom(createdAt);
    expect((await f.manager.getChannel(channel.channelId))[0]).toBe(ZeroAddress);

    await ledgerShows('the retracted creation flagged', channel, {
      status: 'pending',
      deposit: '0',
      overDeposit: String(3n * P),
    });
    expect(await ledger.metric('microraiden_ledger_channels_over_deposit')).toBe(1);
    expect(await ledger.metric('microraiden_ledger_revenue_over_deposit')).toBe(Number(3n * P));
  });
});
