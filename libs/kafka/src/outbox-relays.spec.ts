import { describe, expect, it } from 'vitest';
import type { OutboxRelay } from './outbox-relay';
import { combinedLag, combineOutboxRelays } from './outbox-relays';

function fakeRelay(published: number, unpublished: number, oldestUnpublishedAgeMs: number) {
  const calls: string[] = [];
  const relay: OutboxRelay = {
    start: async () => void calls.push('start'),
    publishPending: async () => published,
    lag: async () => ({ unpublished, oldestUnpublishedAgeMs }),
    stop: async () => void calls.push('stop'),
  };
  return { relay, calls };
}

describe('combineOutboxRelays', () => {
  it('is the relay itself when there is one', () => {
    const { relay } = fakeRelay(1, 0, 0);
    expect(combineOutboxRelays([relay])).toBe(relay);
  });

  it('starts and stops every relay, adds up what they published and their backlogs', async () => {
    const a = fakeRelay(3, 10, 50);
    const b = fakeRelay(4, 5, 900);
    const both = combineOutboxRelays([a.relay, b.relay]);
    await both.start();
    expect(await both.publishPending()).toBe(7);
    expect(await both.lag()).toEqual({ unpublished: 15, oldestUnpublishedAgeMs: 900 });
    await both.stop();
    expect([a.calls, b.calls]).toEqual([
      ['start', 'stop'],
      ['start', 'stop'],
    ]);
  });

  it('stops every relay even when one fails to, then reports the failure', async () => {
    const a = fakeRelay(0, 0, 0);
    const b = fakeRelay(0, 0, 0);
    const failing: OutboxRelay = { ...a.relay, stop: () => Promise.reject(new Error('connection lost')) };
    await expect(combineOutboxRelays([failing, b.relay]).stop()).rejects.toThrow('connection lost');
    expect(b.calls).toEqual(['stop']);
  });
});

describe('combinedLag', () => {
  it('is empty for no backlog', () => {
    expect(combinedLag([])).toEqual({ unpublished: 0, oldestUnpublishedAgeMs: 0 });
  });
});
