import { describe, expect, it } from 'vitest';
import { RECEIVER, SENDER, aChannelId, aChannelRecord } from '../test/builders';
import { evolveChannel, replayChannelEvents, type ChannelEvent } from './channel-event';

const id = aChannelId();
const created: ChannelEvent = {
  type: 'created',
  channelId: id,
  sender: SENDER,
  receiver: RECEIVER,
  deposit: 10n,
  blockNumber: 7,
};
const lifecycle: ChannelEvent[] = [
  created,
  { type: 'toppedUp', channelId: id, deposit: 15n },
  { type: 'withdrawn', channelId: id, withdrawn: 4n },
  { type: 'closeRequested', channelId: id, balance: 12n, settleAt: 1_000n },
  { type: 'settled', channelId: id, balance: 12n, receiverPaid: 8n, senderRefund: 3n },
];

describe('evolveChannel', () => {
  it('creates an open channel with nothing signed', () => {
    expect(evolveChannel(undefined, created)).toEqual(
      aChannelRecord({ id, deposit: 10n, openedBlock: 7, acknowledgedBalance: null }),
    );
  });

  it('follows a channel through its life', () => {
    const states = lifecycle.reduce<ReturnType<typeof evolveChannel>[]>(
      (acc, event) => [...acc, evolveChannel(acc.at(-1), event)],
      [],
    );
    expect(states.map((s) => [s?.state, s?.deposit, s?.acknowledgedBalance, s?.settleAt])).toEqual([
      ['open', 10n, null, null],
      ['open', 15n, null, null],
      ['open', 15n, 4n, null],
      ['closing', 15n, 12n, 1_000n],
      ['settled', 15n, 12n, 1_000n],
    ]);
  });

  it('ignores events of a channel it never saw created', () => {
    for (const event of lifecycle.slice(1)) expect(evolveChannel(undefined, event)).toBeUndefined();
  });

  it('never lowers the acknowledged balance', () => {
    const record = aChannelRecord({ acknowledgedBalance: 9n });
    expect(
      evolveChannel(record, { type: 'withdrawn', channelId: id, withdrawn: 4n })?.acknowledgedBalance,
    ).toBe(9n);
  });
});

describe('replayChannelEvents', () => {
  const signed = aChannelRecord({
    id,
    deposit: 10n,
    signedBalance: 7n,
    balanceSignature: `0x${'11'.repeat(65)}`,
    acknowledgedBalance: 6n,
    gatewayUrl: 'http://gw/api/1',
  });

  it('rebuilds from zero what the events say (a deleted state file)', () => {
    const rebuilt = replayChannelEvents({}, lifecycle.slice(0, 3));
    expect(rebuilt[id]).toMatchObject({
      deposit: 15n,
      withdrawn: 4n,
      acknowledgedBalance: 4n,
      signedBalance: 0n,
    });
  });

  it('keeps local proofs, gateway and a higher local balance; takes chain facts from the events', () => {
    const rebuilt = replayChannelEvents(
      { [id]: { ...signed, deposit: 999n, state: 'closing' } },
      lifecycle.slice(0, 3),
    );
    expect(rebuilt[id]).toMatchObject({
      deposit: 15n,
      state: 'open',
      withdrawn: 4n,
      signedBalance: 7n,
      balanceSignature: signed.balanceSignature,
      acknowledgedBalance: 6n,
      gatewayUrl: 'http://gw/api/1',
    });
  });

  it('is idempotent: replaying twice gives the same state', () => {
    const once = replayChannelEvents({ [id]: signed }, lifecycle);
    expect(replayChannelEvents(once, lifecycle)).toEqual(once);
  });

  it('keeps local channels the events do not mention', () => {
    const other = aChannelRecord({ id: aChannelId(5n) });
    expect(replayChannelEvents({ [other.id]: other }, lifecycle)[other.id]).toEqual(other);
  });
});
