import type { Hex32 } from '@microraiden/protocol';
import { describe, expect, it } from 'vitest';
import type { ChannelSnapshot } from './channel-snapshot';
import { OpenChannelCache } from './open-channel-cache';

function aSnapshot(overrides: Partial<ChannelSnapshot> = {}): ChannelSnapshot {
  return {
    channelId: `0x${'cd'.repeat(32)}` as Hex32,
    sender: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
    receiver: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    deposit: 1000n,
    state: 'open',
    confirmed: true,
    acceptedBalance: 0n,
    chargedBalance: 0n,
    ...overrides,
  };
}

describe('OpenChannelCache', () => {
  it('remembers only open, confirmed channels and forgets one that stopped being open', () => {
    const cache = new OpenChannelCache();
    const open = aSnapshot();
    cache.remember(open, open.channelId);
    expect(cache.get(open.channelId)).toEqual(open);
    cache.remember(aSnapshot({ state: 'closing' }), open.channelId);
    expect(cache.get(open.channelId)).toBeUndefined();
    cache.remember(aSnapshot({ confirmed: false }), open.channelId);
    cache.remember(undefined, open.channelId);
    expect(cache.size).toBe(0);
  });

  it('keeps the highest accepted balance when acceptances finish out of order', () => {
    const cache = new OpenChannelCache();
    const open = aSnapshot();
    cache.accepted(open, 300n, 250n, '0x03');
    cache.accepted(open, 200n, 200n, '0x02');
    expect(cache.get(open.channelId)?.acceptedBalance).toBe(300n);
    expect(cache.get(open.channelId)?.chargedBalance).toBe(250n);
    // The signature stays the one of the remembered balance (a corrective 402 hands both out together).
    expect(cache.get(open.channelId)?.lastSignature).toBe('0x03');
  });

  it('records a charge without a signature only upwards and never past the accepted balance', () => {
    const cache = new OpenChannelCache();
    const open = aSnapshot({ acceptedBalance: 300n, chargedBalance: 100n });
    cache.charged(open, 180n);
    cache.charged(open, 150n);
    cache.charged(open, 301n);
    expect(cache.get(open.channelId)).toMatchObject({ acceptedBalance: 300n, chargedBalance: 180n });
  });

  it('stays within its limit', () => {
    const cache = new OpenChannelCache(3);
    for (let i = 0; i < 10; i++) {
      const id = `0x${i.toString(16).padStart(64, '0')}` as Hex32;
      cache.remember(aSnapshot({ channelId: id }), id);
      expect(cache.size).toBeLessThanOrEqual(3);
    }
  });
});
