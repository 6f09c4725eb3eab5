import { ZeroAddress } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WatcherFixture } from './support/watcher-fixture';

const CHANNELS = 100;
const DEPOSIT = 1_000n;
const PROOF = 600n;
const CHEAT = 100n;

describe('chain-watcher under a wave of closes', () => {
  let f: WatcherFixture;

  beforeAll(async () => {
    f = await WatcherFixture.start({ CONFIRMATIONS: '2' });
    await f.startApp();
  });
  afterAll(() => f?.stop());

  it(`disputes every cheat among ${CHANNELS} channels closing at once before its deadline, fair ones untouched`, async () => {
    const sender = await f.fundedSender(DEPOSIT * BigInt(CHANNELS));
    const channels = await f.openChannelsInOneBlock(sender, CHANNELS, DEPOSIT);
    await f.publishProofs(channels.map((channel) => ({ channel, balance: PROOF })));
    await f.until('every proof stored', async () => {
      const { rows } = await f.pool
        .query<{ n: string }>('SELECT count(*) AS n FROM cw_balance_proofs')
        .catch(() => ({ rows: [{ n: '0' }] }));
      return Number(rows[0]!.n) === CHANNELS;
    });

    // Even channels cheat (claim 100 of the 600 they signed), odd ones close fairly; all in one block.
    const cheats = channels.filter((_, i) => i % 2 === 0);
    const fair = channels.filter((_, i) => i % 2 === 1);
    let nonce = await f.provider.getTransactionCount(sender.address, 'pending');
    await f.provider.send('evm_setAutomine', [false]);
    try {
      for (const [i, channel] of channels.entries())
        await f.manager.connect(sender).uncooperativeClose(channel.channelId, i % 2 === 0 ? CHEAT : PROOF, {
          nonce: nonce++,
          gasLimit: 150_000n,
        });
      await f.provider.send('evm_mine', []);
    } finally {
      await f.provider.send('evm_setAutomine', [true]);
    }
    const closeBlock = (await f.provider.getBlock('latest'))!;
    const settleAt = BigInt(closeBlock.timestamp) + 3600n;
    expect((await f.manager.getChannel(cheats[0]!.channelId))[5]).toBe(settleAt);

    const started = performance.now();
    await f.mine(2);
    await f.until(
      'every cheat disputed',
      async () => {
        const statuses = await f.taskStatuses();
        return cheats.every((c) => statuses.get(c.channelId.toLowerCase()) === 'won');
      },
      120_000,
    );
    const elapsedMs = performance.now() - started;
    console.log(
      `disputed ${cheats.length} cheats in ${Math.round(elapsedMs)} ms from the close block (2 confirmations to mine, then one receiverClose each)`,
    );

    for (const channel of cheats)
      expect((await f.manager.getChannel(channel.channelId))[0]).toBe(ZeroAddress);
    for (const channel of fair) {
      const [channelSender, , , , closingBalance, channelSettleAt] = await f.manager.getChannel(
        channel.channelId,
      );
      expect([channelSender, closingBalance, channelSettleAt]).toEqual([sender.address, PROOF, settleAt]);
    }
    // Every settlement happened before the deadline, and paid the receiver the signed balance.
    const settledLogs = await f.manager.queryFilter(
      f.manager.filters.ChannelSettled!(),
      closeBlock.number + 1,
    );
    expect(settledLogs).toHaveLength(cheats.length);
    for (const log of settledLogs)
      expect(BigInt((await f.provider.getBlock(log.blockNumber))!.timestamp)).toBeLessThan(settleAt);
    expect(await f.token.balanceOf(f.receiver.address)).toBe(PROOF * BigInt(cheats.length));
    expect(await f.metric('microraiden_chain_watcher_disputes_total', 'outcome="won"')).toBe(cheats.length);
  });
});
