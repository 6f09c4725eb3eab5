import type { ChannelLogEvent } from '@microraiden/events';
import { describe, expect, it } from 'vitest';
import { ChainFollower, type ChainFollowerOptions } from './chain-follower';
import { aChannelLog, hashOf, TEST_MANAGER, TEST_RECEIVER, TEST_SENDER } from './testing/channel-log-builder';
import { InMemoryChain, InMemoryFollowerStore, RecordingPublisher } from './testing/in-memory-chain';

const OTHER_RECEIVER = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';

function setup(overrides: Partial<ChainFollowerOptions> = {}) {
  const chain = new InMemoryChain();
  const store = new InMemoryFollowerStore();
  const follower = new ChainFollower(chain, store, {
    chainId: 31337,
    channelManager: TEST_MANAGER,
    source: 'chain-watcher',
    startBlock: 1,
    confirmations: 0,
    maxBlockRange: 100,
    receiver: TEST_RECEIVER,
    ...overrides,
  });
  return { chain, store, follower };
}

/** Mine a block holding one ChannelCreated log for channel `label`. */
const created = (chain: InMemoryChain, label: string, receiver = TEST_RECEIVER) =>
  chain.mine((position) => [
    aChannelLog('ChannelCreated', [hashOf(label), TEST_SENDER, receiver, 1_000n], position),
  ]);

const logEvents = (store: InMemoryFollowerStore) =>
  store.outbox.filter((e): e is ChannelLogEvent => e.type !== 'channel.event-retracted');
const channelOf = (e: { data: { channelId: string } }) => e.data.channelId;

describe('ChainFollower', () => {
  it('queues a log only once it is `confirmations` blocks deep, then moves the checkpoint', async () => {
    const { chain, store, follower } = setup({ confirmations: 2 });
    const block = created(chain, 'a');
    expect((await follower.step()).kind).toBe('idle');
    chain.mineEmpty(1);
    expect(await follower.catchUp()).toMatchObject({ kind: 'idle' });
    expect(store.outbox).toHaveLength(0);
    chain.mineEmpty(1);
    expect(await follower.step()).toEqual({ kind: 'advanced', head: 3, from: 1, to: 1, queued: 1 });
    expect(store.outbox.map(channelOf)).toEqual([hashOf('a')]);
    expect(store.saved).toEqual({ number: 1, hash: block.hash });
    expect(await follower.step()).toMatchObject({ kind: 'idle', checkpoint: 1 });
  });

  it('reads in bounded ranges', async () => {
    const { chain, store, follower } = setup({ maxBlockRange: 2 });
    for (const label of ['a', 'b', 'c', 'd', 'e']) created(chain, label);
    const ranges: Array<[number, number]> = [];
    for (let outcome = await follower.step(); outcome.kind === 'advanced'; outcome = await follower.step())
      ranges.push([outcome.from, outcome.to]);
    expect(ranges).toEqual([
      [1, 2],
      [3, 4],
      [5, 5],
    ]);
    expect(store.outbox.map(channelOf)).toEqual(['a', 'b', 'c', 'd', 'e'].map(hashOf));
  });

  it('retracts events of blocks a reorg removed and publishes the new chain, nothing twice', async () => {
    const { chain, store, follower } = setup();
    created(chain, 'a');
    created(chain, 'b');
    created(chain, 'c');
    await follower.catchUp();
    const [, b, c] = logEvents(store);
    chain.dropTop(2);
    created(chain, 'c'); // the same channel's log re-mined at another height: a new fact
    created(chain, 'd');
    chain.mineEmpty(1);

    expect(await follower.step()).toMatchObject({ kind: 'reorg', ancestor: 1, depth: 2, retracted: 2 });
    await follower.catchUp();

    const retractions = store.outbox.filter((e) => e.type === 'channel.event-retracted');
    expect(retractions.map((r) => r.data.retractedEventId).sort()).toEqual([b!.id, c!.id].sort());
    expect(logEvents(store).map(channelOf)).toEqual(['a', 'b', 'c', 'c', 'd'].map(hashOf));
    const ids = logEvents(store).map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('notices a reorg that keeps the height (the checkpoint block itself changed)', async () => {
    const { chain, store, follower } = setup();
    created(chain, 'a');
    created(chain, 'b');
    await follower.catchUp();
    chain.dropTop(1);
    created(chain, 'b2');
    expect(await follower.step()).toMatchObject({ kind: 'reorg', ancestor: 1, retracted: 1 });
    await follower.catchUp();
    expect(logEvents(store).map(channelOf)).toEqual(['a', 'b', 'b2'].map(hashOf));
  });

  it('keeps events of blocks that stayed canonical even when the remembered ancestor is lower', async () => {
    const { chain, store, follower } = setup();
    created(chain, 'a');
    chain.mineEmpty(1);
    created(chain, 'c');
    chain.mineEmpty(2);
    await follower.catchUp(); // one range: remembers blocks 1, 3 (logs) and 5 (checkpoint)
    chain.dropTop(1);
    chain.mineEmpty(2);
    expect(await follower.step()).toMatchObject({ kind: 'reorg', ancestor: 3, retracted: 0 });
    await follower.catchUp();
    expect(store.outbox.map((e) => e.type)).toEqual(['channel.created', 'channel.created']);
  });

  it('re-follows from the start when the reorg is deeper than anything remembered', async () => {
    const { chain, store, follower } = setup();
    created(chain, 'a');
    await follower.catchUp();
    store.blocks.clear();
    chain.dropTop(1);
    created(chain, 'a2');
    expect(await follower.step()).toMatchObject({ kind: 'reorg', ancestor: 0, retracted: 1 });
    expect(store.saved).toBeUndefined();
    await follower.catchUp();
    expect(logEvents(store).map(channelOf)).toEqual(['a', 'a2'].map(hashOf));
  });

  it('records the dispute task and moves the checkpoint while Kafka is down; the events wait in the outbox', async () => {
    const { chain, store, follower } = setup();
    const kafka = new RecordingPublisher();
    kafka.down = true;
    created(chain, 'a');
    const close = chain.mine((position) => [
      aChannelLog('ChannelCloseRequested', [hashOf('a'), TEST_SENDER, TEST_RECEIVER, 1n, 99n], position),
    ]);
    await follower.catchUp();
    await expect(store.relay(kafka)).rejects.toThrow('broker unavailable');

    expect(store.closeRequests.map(channelOf)).toEqual([hashOf('a')]);
    expect(store.saved).toEqual({ number: close.number, hash: close.hash });
    expect(store.pending().map((e) => e.type)).toEqual(['channel.created', 'channel.close-requested']);
    expect(kafka.sent).toHaveLength(0);

    kafka.down = false;
    await store.relay(kafka);
    await store.relay(kafka);
    expect(kafka.sent.map((e) => e.id)).toEqual(store.outbox.map((e) => e.id));
    expect(store.pending()).toEqual([]);
  });

  it('queues retractions with the rewind while Kafka is down', async () => {
    const { chain, store, follower } = setup();
    const kafka = new RecordingPublisher();
    kafka.down = true;
    created(chain, 'a');
    created(chain, 'b');
    await follower.catchUp();
    chain.dropTop(1);
    chain.mineEmpty(2);
    expect(await follower.step()).toMatchObject({ kind: 'reorg', ancestor: 1, retracted: 1 });
    await expect(store.relay(kafka)).rejects.toThrow('broker unavailable');
    expect(store.saved?.number).toBe(1);
    const [a, b, retraction] = store.pending();
    expect([a, b].map((e) => e!.data.channelId)).toEqual(['a', 'b'].map(hashOf));
    expect(retraction).toMatchObject({ type: 'channel.event-retracted', data: { retractedEventId: b!.id } });
  });

  it('does not queue again what the store says was recorded (a range followed twice)', async () => {
    const { chain, store, follower } = setup();
    created(chain, 'a');
    await follower.catchUp();
    store.saved = undefined; // as if the checkpoint write had been lost
    await follower.catchUp();
    expect(store.outbox).toHaveLength(1);
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

  it('refuses to record a range whose logs are not on the chain it read', async () => {
    const { chain, store, follower } = setup();
    chain.mine((position) => [
      aChannelLog('ChannelCreated', [hashOf('x'), TEST_SENDER, TEST_RECEIVER, 1n], {
        ...position,
        blockHash: hashOf('fork'),
      }),
    ]);
    expect(await follower.step()).toMatchObject({ kind: 'unstable' });
    expect(store.outbox).toHaveLength(0);
  });
});
