import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WatcherFixture } from './support/watcher-fixture';

describe('chain-watcher with WITHDRAW_THRESHOLD', () => {
  let f: WatcherFixture;

  beforeAll(async () => {
    f = await WatcherFixture.start({ CONFIRMATIONS: '2', WITHDRAW_THRESHOLD: '500' });
    await f.startApp();
  });
  afterAll(() => f?.stop());

  const withdrawnOnChain = async (channelId: string) => (await f.manager.getChannel(channelId))[3];

  it('withdraws only when the unwithdrawn balance reaches the threshold', async () => {
    const sender = await f.fundedSender(10_000n);
    const channel = await f.openChannel(sender, 2_000n);

    await f.publishProofs([{ channel, balance: 300n }]);
    await f.until('proof 300 stored', async () => (await f.storedProof(channel.channelId)) === 300n);
    await new Promise((r) => setTimeout(r, 800));
    expect(await withdrawnOnChain(channel.channelId)).toBe(0n);

    await f.publishProofs([{ channel, balance: 800n, previousBalance: 300n }]);
    await f.until('withdrawn 800', async () => (await withdrawnOnChain(channel.channelId)) === 800n);
    expect(await f.token.balanceOf(f.receiver.address)).toBe(800n);

    // 200 more is below the threshold: stays in the channel.
    await f.publishProofs([{ channel, balance: 1_000n, previousBalance: 800n }]);
    await f.until('proof 1000 stored', async () => (await f.storedProof(channel.channelId)) === 1_000n);
    await new Promise((r) => setTimeout(r, 800));
    expect(await withdrawnOnChain(channel.channelId)).toBe(800n);
    expect(await f.metric('microraiden_chain_watcher_withdrawals_total', 'outcome="withdrawn"')).toBe(1);

    await f.publishProofs([{ channel, balance: 1_300n, previousBalance: 1_000n }]);
    await f.until('withdrawn 1300', async () => (await withdrawnOnChain(channel.channelId)) === 1_300n);
    expect(await f.token.balanceOf(f.receiver.address)).toBe(1_300n);
  });
});
