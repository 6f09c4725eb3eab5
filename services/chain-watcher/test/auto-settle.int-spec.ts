import { ZeroAddress } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WatcherFixture } from './support/watcher-fixture';

describe('chain-watcher with AUTO_SETTLE', () => {
  let f: WatcherFixture;

  beforeAll(async () => {
    f = await WatcherFixture.start({ CONFIRMATIONS: '2', AUTO_SETTLE: 'true' });
    await f.startApp();
  });
  afterAll(() => f?.stop());

  it('settles a fairly closed channel of ours once its challenge period is over, not before', async () => {
    const sender = await f.fundedSender(10_000n);
    const channel = await f.openChannel(sender, 1_000n);
    await f.publishProofs([{ channel, balance: 300n }]);
    await f.until('proof stored', async () => (await f.storedProof(channel.channelId)) === 300n);
    await (await f.manager.connect(sender).uncooperativeClose(channel.channelId, 300n)).wait();
    await f.mine(2);
    const id = channel.channelId.toLowerCase();
    await f.until('task seen', async () => (await f.taskStatuses()).get(id) === 'pending');
    await new Promise((r) => setTimeout(r, 500));
    expect((await f.manager.getChannel(channel.channelId))[0]).toBe(sender.address);

    await f.provider.send('evm_increaseTime', [3600]);
    await f.mine(1);
    await f.until('settled by the watcher', async () => (await f.taskStatuses()).get(id) === 'settled');
    expect((await f.manager.getChannel(channel.channelId))[0]).toBe(ZeroAddress);
    expect(await f.token.balanceOf(f.receiver.address)).toBe(300n);
    expect(await f.token.balanceOf(sender.address)).toBe(10_000n - 300n);
    expect(await f.metric('microraiden_chain_watcher_disputes_total', 'outcome="settled"')).toBe(1);
  });
});
