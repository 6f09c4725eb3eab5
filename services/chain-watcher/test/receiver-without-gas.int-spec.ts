import { Logger } from '@nestjs/common';
import { parseEther, toBeHex, ZeroAddress } from 'ethers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WatcherFixture } from './support/watcher-fixture';

/** Issue 10, item 5: a receiver without ETH must not retry its dispute every poll, and must dispute once refilled. */
describe('chain-watcher whose receiver cannot pay for gas', () => {
  let f: WatcherFixture;

  beforeAll(async () => {
    // Four polls a second, as in the report.
    f = await WatcherFixture.start({ POLL_INTERVAL_MS: '250', MIN_RECEIVER_ETH: '1' });
    await f.startApp();
  });
  afterAll(() => f?.stop());

  it('backs off, says so once, and disputes as soon as the ETH is back', async () => {
    const sender = await f.fundedSender(10_000n);
    const channel = await f.openChannel(sender, 1_000n);
    await f.publishProofs([{ channel, balance: 800n }]);
    await f.until('proof kept', async () => (await f.storedProof(channel.channelId)) === 800n);

    const lines: string[] = [];
    const record = (message: unknown) => {
      const text = typeof message === 'string' ? message : (message as { msg?: string }).msg;
      lines.push(String(text));
    };
    const spies = (['error', 'warn', 'log'] as const).map((level) =>
      vi.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => record(args[0])),
    );
    try {
      await f.provider.send('anvil_setBalance', [f.receiver.address, '0x0']);
      await (await f.manager.connect(sender).uncooperativeClose(channel.channelId, 1n)).wait();
      await f.mine(2);
      await f.until('dispute task recorded', async () =>
        (await f.taskStatuses()).has(channel.channelId.toLowerCase()),
      );
      await new Promise((resolve) => setTimeout(resolve, 6_000));

      expect(lines.filter((line) => /failed this round|insufficient funds/i.test(line))).toHaveLength(0);
      expect(lines.filter((line) => /cannot pay for gas/.test(line))).toHaveLength(1);
      expect(lines.filter((line) => /below MIN_RECEIVER_ETH/.test(line))).toHaveLength(1);
      // Refused at 0, 1 s and 3 s (then 7 s): not 4 a second.
      const refused = await f.metric('microraiden_chain_watcher_unfunded_sends_total');
      expect(refused).toBeGreaterThanOrEqual(3);
      expect(refused).toBeLessThanOrEqual(4);
      expect(await f.metric('microraiden_chain_watcher_receiver_funds_insufficient')).toBe(1);
      expect((await f.manager.getChannel(channel.channelId))[0]).not.toBe(ZeroAddress);

      const refilled = Date.now();
      await f.provider.send('anvil_setBalance', [f.receiver.address, toBeHex(parseEther('10'))]);
      await f.until(
        'disputed once refilled',
        async () => (await f.manager.getChannel(channel.channelId))[0] === ZeroAddress,
        10_000,
      );
      // Well before the next back-off step (7 s): the rise of the balance let it through.
      expect(Date.now() - refilled).toBeLessThan(3_000);
      expect(await f.token.balanceOf(sender.address)).toBe(10_000n - 800n);
      await f.until(
        'alarm cleared',
        async () => (await f.metric('microraiden_chain_watcher_receiver_funds_insufficient')) === 0,
      );
      expect(lines.filter((line) => /pays for gas again/.test(line))).toHaveLength(1);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  }, 60_000);
});
