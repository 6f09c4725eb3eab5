import { randomBytes } from 'node:crypto';
import type { MicroraidenEvent } from '@microraiden/events';
import type { Address, Hex, Hex32 } from '@microraiden/protocol';
import { describe, expect, it } from 'vitest';
import { shardOfChannel } from '../core/channel-shard';
import { ShardedChannelStore } from './sharded-channel-store';
import { InMemoryChannelStore } from '../testing/in-memory-channel-store';

const sender = `0x${'11'.repeat(20)}` as Address;
const receiver = `0x${'22'.repeat(20)}` as Address;
// The stores only collect the event: its content does not matter here.
const event = { type: 'balance-proof.accepted' } as unknown as MicroraidenEvent;
const channelId = () => `0x${randomBytes(32).toString('hex')}` as Hex32;

function sharded(count: number) {
  const shards = Array.from({ length: count }, () => new InMemoryChannelStore());
  const store = new ShardedChannelStore(shards);
  const ids = Array.from({ length: 40 }, channelId);
  // Each channel's row exists only in its own shard, as the projector writes it.
  for (const id of ids)
    shards[shardOfChannel(id, count)]!.put({ channelId: id, sender, receiver, deposit: 100n });
  return { shards, store, ids };
}

describe('ShardedChannelStore', () => {
  it('reads, accepts, charges and marks each channel in the shard shardOfChannel names, and only there', async () => {
    const { shards, store, ids } = sharded(3);
    for (const id of ids) {
      expect((await store.snapshot(id))?.channelId).toBe(id);
      const proof = {
        channelId: id,
        balance: 10n,
        expectedPrevious: 0n,
        expectedCharged: 0n,
        price: 5n,
        charge: 5n,
        signature: '0x01' as Hex,
      };
      expect(await store.accept(proof, event)).toBe(true);
      expect(await store.accept(proof, event)).toBe(false);
      expect(await store.charge(id, 5n, 5n, event)).toBe(true);
      expect(await store.charge(id, 5n, 5n, event)).toBe(false);
      expect(await store.markClosing(id, 10n, event)).toBe(true);
    }
    for (const [index, shard] of shards.entries()) {
      const mine = ids.filter((id) => shardOfChannel(id, 3) === index);
      expect(mine.length).toBeGreaterThan(0);
      expect(shard.events).toHaveLength(3 * mine.length);
      for (const id of mine)
        expect(shard.channels.get(id)).toMatchObject({
          acceptedBalance: 10n,
          chargedBalance: 10n,
          state: 'closing',
        });
    }
  });

  it('does not find a channel whose row sits in another shard than its id names', async () => {
    const { shards, store } = sharded(2);
    const id = channelId();
    shards[1 - shardOfChannel(id, 2)]!.put({ channelId: id, sender, receiver, deposit: 100n });
    expect(await store.snapshot(id)).toBeUndefined();
  });

  it('needs a shard', () => {
    expect(() => new ShardedChannelStore([])).toThrow(RangeError);
  });
});
