import type { Hex32 } from '@microraiden/protocol';
import { describe, expect, it } from 'vitest';
import { ChainChannelReads, type ChainChannelReader } from './chain-channel-reads';
import type { ChainChannelState } from './pending-deposit-decision';

const channelId = `0x${'ab'.repeat(32)}` as Hex32;
const other = `0x${'cd'.repeat(32)}` as Hex32;
const state = (head: number): ChainChannelState => ({ head, channel: undefined, recentChanges: [] });

/** A reader whose reads resolve when the test says so. */
function manualReader() {
  const waiting: Array<{ resolve: (s: ChainChannelState) => void; reject: (e: Error) => void }> = [];
  let reads = 0;
  const reader: ChainChannelReader = {
    read: () =>
      new Promise((resolve, reject) => {
        reads += 1;
        waiting.push({ resolve, reject });
      }),
  };
  return { reader, waiting, reads: () => reads };
}

const always = () => true;
const never = () => false;

describe('ChainChannelReads', () => {
  it('shares one read among concurrent asks and reuses its state while useful and fresh', async () => {
    let now = 0;
    const { reader, waiting, reads } = manualReader();
    const chain = new ChainChannelReads({ reader, required: 2, cacheMs: 1000, now: () => now });
    const first = chain.stateOf(channelId, always);
    const second = chain.stateOf(channelId, never);
    waiting[0]!.resolve(state(7));
    expect(await first).toEqual(state(7));
    expect(await second).toEqual(state(7));
    expect(await chain.stateOf(channelId, always)).toEqual(state(7));
    expect(reads()).toBe(1);
    // Not useful to this asker (it may be outdated by the next block): read again.
    const again = chain.stateOf(channelId, never);
    waiting[1]!.resolve(state(8));
    expect(await again).toEqual(state(8));
    // Useful but too old: read again.
    now = 1001;
    const later = chain.stateOf(channelId, always);
    waiting[2]!.resolve(state(9));
    expect(await later).toEqual(state(9));
    expect(reads()).toBe(3);
  });

  it('gives undefined for a failed or timed-out read, and reads again next time', async () => {
    const errors: unknown[] = [];
    const { reader, waiting } = manualReader();
    const chain = new ChainChannelReads({
      reader,
      required: 2,
      timeoutMs: 20,
      onError: (e) => errors.push(e),
    });
    const failed = chain.stateOf(channelId, always);
    waiting[0]!.reject(new Error('node down'));
    expect(await failed).toBeUndefined();
    expect(await chain.stateOf(channelId, always)).toBeUndefined(); // never answers: times out
    expect(errors.map((e) => (e as Error).message)).toEqual([
      'node down',
      'chain read timed out after 20 ms',
    ]);
    const recovered = chain.stateOf(channelId, always);
    waiting[2]!.resolve(state(3));
    expect(await recovered).toEqual(state(3));
  });

  it('starts no read beyond maxInFlight', async () => {
    const { reader, waiting, reads } = manualReader();
    const chain = new ChainChannelReads({ reader, required: 2, maxInFlight: 1 });
    const first = chain.stateOf(channelId, always);
    expect(await chain.stateOf(other, always)).toBeUndefined();
    expect(reads()).toBe(1);
    waiting[0]!.resolve(state(1));
    await first;
    const second = chain.stateOf(other, always);
    waiting[1]!.resolve(state(2));
    expect(await second).toEqual(state(2));
  });

  it('passes the confirmations the watcher waits for as the window of changes to read', async () => {
    const windows: number[] = [];
    const chain = new ChainChannelReads({
      reader: { read: async (_id, window) => (windows.push(window), state(1)) },
      required: 5,
    });
    await chain.stateOf(channelId, always);
    expect(windows).toEqual([5]);
  });
});
