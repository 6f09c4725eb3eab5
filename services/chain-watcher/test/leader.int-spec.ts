import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bootstrapService } from '@microraiden/service-kit';
import { ZeroAddress } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../src/app.module';
import { loadChainWatcherConfig } from '../src/chain-watcher-config';
import { WatcherFixture, type TestChannel } from './support/watcher-fixture';

/** What the watcher at `url` reports in /health/ready: `leading`, `standby`, or not decided yet. */
async function roleOf(url: string): Promise<string | undefined> {
  const body = (await (await fetch(`${url}/health/ready`)).json()) as {
    info?: { startup?: { role?: string } };
  };
  return body.info?.startup?.role;
}

describe('two chain-watchers for one receiver', () => {
  let f: WatcherFixture;
  let second: NestFastifyApplication | undefined;
  let secondUrl: string;

  beforeAll(async () => {
    f = await WatcherFixture.start();
    await f.startApp();
    await f.until(
      'the first watcher leads',
      async () => (await f.metric('microraiden_chain_watcher_leader')) === 1,
    );
    // Same database, receiver key and deployment: a second replica, as an operator would run for availability.
    second = await bootstrapService(AppModule.register(loadChainWatcherConfig(f.env)), {
      name: 'chain-watcher',
      port: 0,
      listen: false,
    });
    await second.listen(0, '127.0.0.1');
    secondUrl = await second.getUrl();
  });
  afterAll(async () => {
    await second?.close();
    await f?.stop();
  });

  const cheat = async (deposit: bigint, paid: bigint): Promise<TestChannel> => {
    const sender = await f.fundedSender(10_000n);
    const channel = await f.openChannel(sender, deposit);
    await f.publishProofs([{ channel, balance: paid }]);
    await f.until('proof stored', async () => (await f.storedProof(channel.channelId)) === paid);
    await (await f.manager.connect(sender).uncooperativeClose(channel.channelId, 1n)).wait();
    await f.mine(2);
    return channel;
  };
  const settled = async (channel: TestChannel) =>
    (await f.manager.getChannel(channel.channelId))[0] === ZeroAddress;

  it('lets exactly one of them act: a cheat is disputed with one transaction', async () => {
    await f.until('the second watcher is on standby', async () => (await roleOf(secondUrl)) === 'standby');
    const nonceBefore = await f.provider.getTransactionCount(f.receiver.address);
    const channel = await cheat(1_000n, 600n);
    await f.until('channel settled by the dispute', () => settled(channel));
    // Give a second actor time to send its own (reverting) receiverClose, were there one.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await f.provider.getTransactionCount(f.receiver.address)).toBe(nonceBefore + 1);
    expect(await f.token.balanceOf(f.receiver.address)).toBe(600n);
    // Only the leader follows the chain and sends: the standby published and disputed nothing.
    const standbyMetrics = await (await fetch(`${secondUrl}/metrics`)).text();
    expect(standbyMetrics).not.toMatch(/^microraiden_chain_watcher_events_published_total\{.*\} [1-9]/m);
    expect(standbyMetrics).not.toMatch(/^microraiden_chain_watcher_disputes_total\{.*\} [1-9]/m);
    expect(standbyMetrics).toMatch(/^microraiden_chain_watcher_disputes_total\{outcome="failed".*\} 0$/m);
    expect(
      await f.metric('microraiden_chain_watcher_events_published_total', 'channel.close-requested'),
    ).toBe(1);
    expect([await f.metric('microraiden_chain_watcher_leader'), await roleOf(secondUrl)]).toEqual([
      1,
      'standby',
    ]);
  });

  it('hands over when the leader stops: the standby takes the lock and disputes the next cheat', async () => {
    await f.stopApp();
    await f.until('the second watcher leads', async () => (await roleOf(secondUrl)) === 'leading');
    const channel = await cheat(2_000n, 1_500n);
    await f.until('channel settled by the new leader', () => settled(channel));
    expect(await f.token.balanceOf(f.receiver.address)).toBe(600n + 1_500n);
  });
});
