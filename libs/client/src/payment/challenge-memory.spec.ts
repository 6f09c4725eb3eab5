import { describe, expect, it } from 'vitest';
import type { Challenge } from '@microraiden/protocol';
import { CHAIN_ID, CHANNEL_MANAGER, RECEIVER, TOKEN } from '../test/builders';
import { ChallengeMemory, resourceKey } from './challenge-memory';

const aChallenge = (price: bigint): Challenge => ({
  gatewayPath: '/api/1',
  receiver: RECEIVER,
  channelManager: CHANNEL_MANAGER,
  token: TOKEN,
  price,
  chainId: CHAIN_ID,
});

describe('resourceKey', () => {
  it('is method, origin and path: the query and fragment are left out, the method is upper-cased', () => {
    expect(resourceKey(undefined, new URL('http://g.test:3000/api/weather?city=Oslo#now'))).toBe(
      'GET http://g.test:3000/api/weather',
    );
    expect(resourceKey('post', new URL('http://g.test:3000/api/weather'))).toBe(
      'POST http://g.test:3000/api/weather',
    );
    expect(resourceKey('GET', new URL('http://g.test:3001/api/weather'))).not.toBe(
      resourceKey('GET', new URL('http://g.test:3000/api/weather')),
    );
  });
});

describe('ChallengeMemory', () => {
  it('replaces and forgets a challenge', () => {
    const memory = new ChallengeMemory();
    memory.remember('a', aChallenge(5n));
    memory.remember('a', aChallenge(8n));
    expect(memory.recall('a')?.price).toBe(8n);
    memory.forget('a');
    expect(memory.recall('a')).toBeUndefined();
  });

  it('keeps at most `limit` entries, dropping the least recently used', () => {
    const memory = new ChallengeMemory(3);
    for (const key of ['a', 'b', 'c']) memory.remember(key, aChallenge(1n));
    memory.recall('a');
    memory.remember('d', aChallenge(1n));
    expect(memory.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((key) => memory.recall(key) !== undefined)).toEqual([
      true,
      false,
      true,
      true,
    ]);
  });
});
