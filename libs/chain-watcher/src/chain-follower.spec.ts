import type { ChannelLogEvent } from '@microraiden/events';
import { describe, expect, it } from 'vitest';
import { ChainFollower, type ChainFollowerOptions } from './chain-follower';
import { aChannelLog, hashOf, TEST_MANAGER, TEST_RECEIVER, TEST_SENDER } from './testing/channel-log-builder';
import { InMemoryChain, InMemoryFollowerStore, RecordingPublisher } from './testing/in-memory-chain';

const OTHER_RECEIVER = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';

function setup(overrides: Partial<ChainFollowerOptions> = {}) {
  const chain = new InMemoryChain();
  const store = new InMemoryFollowerStore();
  const publisher = new RecordingPublisher();
  const follower = new ChainFollower(chain, store, publisher, {
    chainId: 31337,
    channelManager: TEST_MANAGER,
    source: 'chain-watcher',
    startBlock: 1,
    confirmations: 0,
    maxBlockRange: 100,
    receiver: TEST_RECEIVER,
    ...overrides,
  });
  return { chain, store, publisher, follower };
}

/** Mine a block holding one ChannelCreated log for channel `label`. */
const created = (chain: InMemoryChain, label: string, receiver = TEST_RECEIVER) =>
  chain.mine((position) => [
    aChannelLog('ChannelCreated', [hashOf(label), TEST_SENDER, receiver, 1_000n], position),
  ]);

const logEvents = (publisher: RecordingPublisher) =>
  publisher.sent.filter((e): e is ChannelLogEvent => e.type !== 'channel.event-retracted');
const channelOf = (e: { data: { channelId: string } }) => e.data.channelId;

describe('ChainFollower', () => {
  it('publishes a log only once it is `confirmations` blocks deep, then moves the checkpoint', async () => {
    const { chain, store, publisher, follower } = setup({ confirmations: 2 });
    const block = created(chain, 'a');
    expect((await follower.step()).kind).toBe('idle');
    chain.mineEmpty(1);
    expect(await follower.catchUp()).toMatchObject({ kind: 'idle' });
    expect(publisher.sent).toHaveLength(0);
    chain.mineEmpty(1);
    expect(await follower.step()).toEqual({ kind: 'advanced', head: 3, from: 1, to: 1, published: 1 });
    expect(publisher.sent.map(channelOf)).toEqual([hashOf('a')]);
    expect(store.saved).toEqual({ number: 1, hash: block.hash });
    expect(await follower.step()).toMatchObject({ kind: 'idle', checkpoint: 1 });
  });

  it('reads in bounded ranges', async () => {
    const { chain, publisher, follower } = setup({ maxBlockRange: 2 });
    for (const label of ['a', 'b', 'c', 'd', 'e']) created(chain, label);
    const ranges: Array<[number, number]> = [];
    for (let outcome = await follower.step(); outcome.kind === 'advanced'; outcome = await follower.step())
      ranges.push([outcome.from, outcome.to]);
    expect(ranges).toEqual([
      [1, 2],
      [3, 4],
      [5, 5],
    ]);
    expect(publisher.sent.map(channelOf)).toEqual(['a', 'b', 'c', 'd', 'e'].map(hashOf));
  });

  it('retracts events of blocks a reorg removed and publishes the new chain, nothing twice', async () => {
    const { chain, publisher, follower } = setup();
    created(chain, 'a');
    created(chain, 'b');
    created(chain, 'c');
    await follower.catchUp();
    const [, b, c] = logEvents(publisher);
    chain.dropTop(2);
    created(chain, 'c'); // the same channel's log re-mined at another height: a new fact
    created(chain, 'd');
    chain.mineEmpty(1);

    expect(await follower.step()).toMatchObject({ kind: 'reorg', ancestor: 1, depth: 2, retracted: 2 });
    await follower.catchUp();

    const retractions = publisher.sent.filter((e) => e.type === 'channel.event-retracted');
    expect(retractions.map((r) => r.data.retractedEventId).sort()).toEqual([b!.id, c!.id].sort());
    expect(logEvents(publisher).map(channelOf)).toEqual(['a', 'b', 'c', 'c', 'd'].map(hashOf));
    const ids = logEvents(publisher).map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('notices a reorg that keeps the height (the checkpoint block itself changed)', async () => {
    const { chain, publisher, follower } = setup();
    created(chain, 'a');
    created(chain, 'b');
    await follower.catchUp();
    chain.dropTop(1);
    created(chain, 'b2');
    expect(await follower.step()).toMatchObject({ kind: 'reorg', ancestor: 1, retracted: 1 });
    await follower.catchUp();
    expect(logEvents(publisher).map(channelOf)).toEqual(['a', 'b', 'b2'].map(hashOf));
  });

  it('keeps events of blocks that stayed canonical even when the remembered ancestor is lower', async () => {
    const { chain, publisher, follower } = setup();
    created(chain, 'a');
    chain.mineEmpty(1);
    created(chain, 'c');
    chain.mineEmpty(2);
    await follower.catchUp(); // one range: remembers blocks 1, 3 (logs) and 5 (checkpoint)
    chain.dropTop(1);
    chain.mineEmpty(2);
    expect(await follower.step()).toMatchObject({ kind: 'reorg', ancestor: 3, retracted: 0 });
    await follower.catchUp();
    expect(publisher.sent.map((e) => e.type)).toEqual(['channel.created', 'channel.created']);
  });

  it('re-follows from the start when the reorg is deeper than anything remembered', async () => {
    const { chain, store, publisher, follower } = setup();
    created(chain, 'a');
    await follower.catchUp();
    store.blocks.clear();
    chain.dropTop(1);
    created(chain, 'a2');
    expect(await follower.step()).toMatchObject({ kind: 'reorg', ancestor: 0, retracted: 1 });
    expect(store.saved).toBeUndefined();
    await follower.catchUp();
    expect(logEvents(publisher).map(channelOf)).toEqual(['a', 'a2'].map(hashOf));
  });

  it('does not move the checkpoint when publishing fails, and publishes once on the retry', async () => {
    const { chain, store, publisher, follower } = setup();
    created(chain, 'a');
    publisher.failNext = true;
    await expect(follower.step()).rejects.toThrow('broker unavailable');
    expect(store.saved).toBeUndefined();
    await follower.catchUp();
    expect(publisher.sent.map(channelOf)).toEqual([hashOf('a')]);
  });

  it('does not re-publish what the store says was published (restart after the ack, before the checkpoint)', async () => {
    const { chain, store, publisher, follower } = setup();
    created(chain, 'a');
    await follower.catchUp();
    store.saved = undefined; // as if the checkpoint write had been lost
    await follower.catchUp();
    expect(publisher.sent).toHaveLength(1);
  });

  it('turns close requests to our receiver into dispute tasks, not others', async () => {
    const { chain, store, follower } = setup();
    chain.mine((position) => [
      aChannelLog('ChannelCloseRequested', [hashOf('ours'), TEST_SENDER, TEST_RECEIVER, 1n, 99n], position),
      aChannelLog('ChannelCloseRequested', [hashOf('theirs'), TEST_SENDER, OTHER_RECEIVER, 1n, 99n], {
        ...position,
        index: 1,
      }),
    ]);
    await follower.catchUp();
    expect(store.closeRequests.map(channelOf)).toEqual([hashOf('ours')]);
  });

  it('refuses to publish a range whose logs are not on the chain it read', async () => {
    const { chain, publisher, follower } = setup();
    chain.mine((position) => [
      aChannelLog('ChannelCreated', [hashOf('x'), TEST_SENDER, TEST_RECEIVER, 1n], {
        ...position,
        blockHash: hashOf('fork'),
      }),
    ]);
    expect(await follower.step()).toMatchObject({ kind: 'unstable' });
    expect(publisher.sent).toHaveLength(0);
  });
});
