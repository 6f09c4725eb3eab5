import { describe, expect, it } from 'vitest';
import { decideTopUp, parseAuthorizeRequest, parseStreamReceipt } from './stream-authorization';

const request = { balance: 112n, chargedBalance: 112n, delivered: 4, needed: 124n };

describe('stream authorisation', () => {
  it('signs exactly the balance asked for while the budget allows it', () => {
    expect(decideTopUp(request, 12n, 24n)).toEqual({ kind: 'sign', balance: 124n, increment: 12n });
    expect(decideTopUp(request, 13n, 24n)).toEqual({ kind: 'stop', reason: 'budget' });
  });

  it('stops on a request that asks for nothing or claims more charged than signed', () => {
    expect(decideTopUp({ ...request, needed: 112n }, 0n, 100n)).toEqual({
      kind: 'stop',
      reason: 'malformed',
    });
    expect(decideTopUp({ ...request, chargedBalance: 113n }, 0n, 100n)).toEqual({
      kind: 'stop',
      reason: 'malformed',
    });
  });

  it('parses the gateway events and refuses malformed ones', () => {
    expect(
      parseAuthorizeRequest('{"balance":"112","chargedBalance":"112","delivered":4,"needed":"124"}'),
    ).toEqual(request);
    expect(parseAuthorizeRequest('{"balance":112}')).toBeUndefined();
    expect(parseAuthorizeRequest('nope')).toBeUndefined();
    expect(parseAuthorizeRequest('null')).toBeUndefined();
    const valid = { balance: '112', chargedBalance: '112', delivered: 4, needed: '124' };
    for (const bad of [
      { needed: '0124' },
      { needed: '1.5' },
      { delivered: 1.5 },
      { delivered: -1 },
      { balance: '-1' },
    ])
      expect(parseAuthorizeRequest(JSON.stringify({ ...valid, ...bad }))).toBeUndefined();
    const channelId = `0x${'AB'.repeat(32)}`;
    expect(
      parseStreamReceipt(
        JSON.stringify({ channelId, balance: '124', chargedBalance: '121', cost: '21', units: 7 }),
      ),
    ).toEqual({
      channelId: channelId.toLowerCase(),
      balance: 124n,
      chargedBalance: 121n,
      cost: 21n,
      units: 7,
    });
    expect(parseStreamReceipt(JSON.stringify({ channelId, balance: '1' }))).toBeUndefined();
  });
});
