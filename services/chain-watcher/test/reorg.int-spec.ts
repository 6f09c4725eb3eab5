import type { ChannelEventRetractedV1, ChannelLogEvent } from '@microraiden/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WatcherFixture, type TestChannel } from './support/watcher-fixture';

describe('chain-watcher across reorgs', () => {
  let f: WatcherFixture;

  beforeAll(async () => {
    f = await WatcherFixture.start({ CONFIRMATIONS: '1' });
    await f.startApp();
    await f.collectChannelEvents();
  });
  afterAll(() => f?.stop());

  const logEvents = () =>
    f.events.map((e) => e.event).filter((e): e is ChannelLogEvent => e.type !== 'channel.event-retracted');
  const retractions = () =>
    f.events
      .map((e) => e.event)
      .filter((e): e is ChannelEventRetractedV1 => e.type === 'channel.event-retracted');
  const publishedFor = (channel: TestChannel, type: string) =>
    logEvents().filter((e) => e.data.channelId === channel.channelId.toLowerCase() && e.type === type);
  /** Events published and not retracted afterwards: what a consumer following the README rule ends up applying. */
  const standing = () => {
    const retracted = new Set(retractions().map((r) => r.data.retractedEventId));
    return logEvents().filter((e) => !retracted.has(e.id));
  };

  it('retracts the events of reverted blocks and publishes the new canonical chain, nothing twice as final', async () => {
    const sender = await f.fundedSender();
    const a = await f.openChannel(sender);
    await f.mine(1);
    await f.until('A created', () => publishedFor(a, 'channel.created').length === 1);

    const snapshot = (await f.provider.send('evm_snapshot', [])) as string;
    const b = await f.openChannel(sender);
    await (await f.manager.connect(sender).topUp(a.channelId, 7n)).wait();
    await f.mine(1);
    await f.until(
      'B created and A topped up',
      () =>
        publishedFor(b, 'channel.created').length === 1 && publishedFor(a, 'channel.topped-up').length === 1,
    );
    const [bCreated] = publishedFor(b, 'channel.created');
    const [aToppedUp] = publishedFor(a, 'channel.topped-up');

    // Replace those blocks with a longer fork holding a different transaction.
    expect(await f.provider.send('evm_revert', [snapshot])).toBe(true);
    const c = await f.openChannel(await f.fundedSender());
    await f.mine(1);

    await f.until(
      'C created and two retractions',
      () => publishedFor(c, 'channel.created').length === 1 && retractions().length === 2,
      30_000,
    );
    expect(
      retractions()
        .map((r) => r.data.retractedEventId)
        .sort(),
    ).toEqual([bCreated!.id, aToppedUp!.id].sort());
    const retractionOfB = retractions().find((r) => r.data.retractedEventId === bCreated!.id)!;
    expect(retractionOfB.data).toMatchObject({
      retractedType: 'channel.created',
      channelId: b.channelId.toLowerCase(),
      blockHash: bCreated!.data.blockHash,
    });
    // The retraction travels with its channel (same key, so same partition, after the event).
    const readB = f.events.find((e) => e.event.id === bCreated!.id)!;
    const readRetraction = f.events.find((e) => e.event.id === retractionOfB.id)!;
    expect(readRetraction.key).toBe(readB.key);
    expect(readRetraction.partition).toBe(readB.partition);
    expect(readRetraction.offset).toBeGreaterThan(readB.offset);

    const standingNow = standing();
    expect(standingNow.map((e) => `${e.type}:${e.data.channelId}`).sort()).toEqual(
      [`channel.created:${a.channelId.toLowerCase()}`, `channel.created:${c.channelId.toLowerCase()}`].sort(),
    );
    const ids = logEvents().map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(await f.metric('microraiden_chain_watcher_reorgs_total')).toBeGreaterThanOrEqual(1);
  });

  it('notices a same-height reorg (anvil_reorg) and retracts the lost log', async () => {
    const sender = await f.fundedSender();
    const d = await f.openChannel(sender);
    await f.mine(1);
    await f.until('D created', () => publishedFor(d, 'channel.created').length === 1);
    const [dCreated] = publishedFor(d, 'channel.created');
    const height = await f.provider.getBlockNumber();

    // Re-mine the top 3 blocks without any transaction: D's creation is gone, the height stays.
    await f.provider.send('anvil_reorg', [3, []]);
    expect(await f.provider.getBlockNumber()).toBe(height);
    expect(await f.manager.channelNonce(sender.address)).toBe(0n);

    await f.until('D retracted', () => retractions().some((r) => r.data.retractedEventId === dCreated!.id));
    await new Promise((r) => setTimeout(r, 500));
    expect(standing().some((e) => e.data.channelId === d.channelId.toLowerCase())).toBe(false);
    const ids = logEvents().map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
