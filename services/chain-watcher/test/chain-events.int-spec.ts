import { chainEventId, type ChannelEvent } from '@microraiden/events';
import { getAddress, type TransactionReceipt } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WatcherFixture, type TestChannel } from './support/watcher-fixture';

describe('chain-watcher publishes channel events', () => {
  let f: WatcherFixture;

  beforeAll(async () => {
    f = await WatcherFixture.start({ CONFIRMATIONS: '2' });
    await f.startApp();
    await f.collectChannelEvents();
  });
  afterAll(() => f?.stop());

  const head = () => f.provider.getBlockNumber();
  const caughtUpTo = (block: number) =>
    f.until(
      `processed block ${block}`,
      async () => (await f.metric('microraiden_chain_watcher_last_processed_block')) === block,
    );
  const eventsOf = (channel: TestChannel) =>
    f.events.filter((e) => e.event.data.channelId === channel.channelId.toLowerCase());

  /** The position fields every event of the log at `logIndexInReceipt` carries. */
  async function positionOf(receipt: TransactionReceipt, logIndexInReceipt = 0) {
    const log = receipt.logs.filter((l) => l.address === f.deployment.channelManager)[logIndexInReceipt]!;
    const block = await f.provider.getBlock(receipt.blockNumber);
    const position = {
      chainId: 31337,
      channelManager: f.deployment.channelManager,
      blockNumber: receipt.blockNumber,
      blockHash: receipt.blockHash.toLowerCase(),
      transactionHash: receipt.hash.toLowerCase(),
      logIndex: log.index,
    };
    return {
      position,
      id: chainEventId(position as never),
      occurredAt: new Date(block!.timestamp * 1000).toISOString(),
    };
  }

  it('has zero series for every dispute and withdrawal outcome before the first one', async () => {
    for (const outcome of ['submitted', 'won', 'failed', 'missed'])
      expect(
        await f.metric('microraiden_chain_watcher_disputes_total', `outcome="${outcome}"`),
        outcome,
      ).toBe(0);
    expect(await f.metric('microraiden_chain_watcher_withdrawals_total', 'outcome="failed"')).toBe(0);
  });

  it('reports the chain lag in seconds: head timestamp minus the followed block timestamp', async () => {
    // Two blocks 30 s apart: with CONFIRMATIONS=2 the followed block stays two blocks, >= 60 s, behind the head.
    await f.provider.send('anvil_mine', ['0x2', '0x1e']);
    const latest = (await f.provider.getBlock('latest'))!;
    const followed = (await f.provider.getBlock(latest.number - 2))!;
    await caughtUpTo(followed.number);
    expect(latest.timestamp - followed.timestamp).toBeGreaterThanOrEqual(60);
    expect(await f.metric('microraiden_chain_watcher_chain_lag_seconds')).toBe(
      latest.timestamp - followed.timestamp,
    );
    expect(await f.metric('microraiden_chain_watcher_last_step_timestamp_seconds')).toBeGreaterThan(
      Date.now() / 1000 - 30,
    );
  });

  it('publishes channel.created with exact fields only after the confirmation depth', async () => {
    const sender = await f.fundedSender();
    const nonce = await f.manager.channelNonce(sender.address);
    const receipt = (await (
      await f.manager.connect(sender).createChannel(f.receiver.address, 1_000n)
    ).wait())!;
    const channel: TestChannel = {
      channelId: (await f.manager.channelIdOf(sender.address, f.receiver.address, nonce)).toLowerCase(),
      sender,
      deposit: 1_000n,
    };

    // Head = creation block: the watcher processes up to head - 2 and must not have published it.
    await caughtUpTo(receipt.blockNumber - 2);
    await f.mine(1);
    await caughtUpTo(receipt.blockNumber - 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(eventsOf(channel)).toEqual([]);

    await f.mine(1);
    await f.until('channel.created on Kafka', () => eventsOf(channel).length === 1);
    const { position, id, occurredAt } = await positionOf(receipt);
    const read = eventsOf(channel)[0]!;
    expect(read.key).toBe(channel.channelId);
    expect(read.event).toEqual({
      id,
      type: 'channel.created',
      version: 1,
      occurredAt,
      source: 'chain-watcher',
      data: {
        channelId: channel.channelId,
        sender: sender.address,
        receiver: f.receiver.address,
        deposit: 1_000n,
        ...position,
      },
    });
    expect(await head()).toBe(receipt.blockNumber + 2);
  });

  it('publishes top-up, withdraw, close request and settlement of a channel in order, each once', async () => {
    const sender = await f.fundedSender();
    const channel = await f.openChannel(sender, 1_000n);
    const manager = f.manager.connect(sender);
    const topUp = (await (await manager.topUp(channel.channelId, 500n)).wait())!;
    const withdraw = (await (
      await f.manager.connect(f.receiver).withdraw(channel.channelId, 200n, f.signProof(channel, 200n))
    ).wait())!;
    const close = (await (await manager.uncooperativeClose(channel.channelId, 150n)).wait())!;
    const settleAt = BigInt((await f.provider.getBlock(close.blockNumber))!.timestamp) + 3600n;
    await f.provider.send('evm_setNextBlockTimestamp', [Number(settleAt)]);
    const settle = (await (await manager.settle(channel.channelId)).wait())!;
    await f.mine(2);

    await f.until('five events', () => eventsOf(channel).length >= 5);
    await new Promise((r) => setTimeout(r, 500));
    const events = eventsOf(channel).map((e) => e.event) as ChannelEvent[];
    expect(events.map((e) => e.type)).toEqual([
      'channel.created',
      'channel.topped-up',
      'channel.withdrawn',
      'channel.close-requested',
      'channel.settled',
    ]);
    const parties = {
      channelId: channel.channelId.toLowerCase(),
      sender: sender.address,
      receiver: getAddress(f.receiver.address),
    };
    expect(events[1]!.data).toEqual({
      ...parties,
      added: 500n,
      deposit: 1_500n,
      ...(await positionOf(topUp)).position,
    });
    expect(events[2]!.data).toEqual({
      ...parties,
      amount: 200n,
      withdrawn: 200n,
      ...(await positionOf(withdraw)).position,
    });
    // The sender claimed 150, below the 200 already withdrawn: the contract raised it.
    expect(events[3]!.data).toEqual({
      ...parties,
      balance: 200n,
      settleAt,
      ...(await positionOf(close)).position,
    });
    expect(events[4]!.data).toEqual({
      ...parties,
      balance: 200n,
      receiverPaid: 0n,
      senderRefund: 1_300n,
      ...(await positionOf(settle)).position,
    });
    expect(await f.metric('microraiden_chain_watcher_events_published_total', 'type="channel.settled"')).toBe(
      1,
    );
  });

  it('does not re-publish after a restart', async () => {
    const before = f.events.length;
    await f.stopApp();
    await f.startApp();
    await f.mine(3);
    const target = (await head()) - 2;
    await caughtUpTo(target);
    await new Promise((r) => setTimeout(r, 500));
    expect(f.events.length).toBe(before);
  });
});
