import { describe, expect, it } from 'vitest';
import { planFunding } from './funding-plan';
import { CHANNEL_MANAGER, RECEIVER, aChannelId, aChannelRecord } from './test/builders';

describe('planFunding', () => {
  const request = { receiver: RECEIVER, amount: 5n, openDeposit: 50n };

  it('uses the open channel with the most left to spend', () => {
    const a = aChannelRecord({ id: aChannelId(0n), deposit: 10n, signedBalance: 4n });
    const b = aChannelRecord({ id: aChannelId(1n), deposit: 20n, signedBalance: 4n });
    expect(planFunding({ ...request, channels: [a, b] })).toEqual({ kind: 'use', channel: b });
  });

  it('counts the acknowledged balance when it is above the signed one', () => {
    const c = aChannelRecord({ deposit: 10n, signedBalance: 2n, acknowledgedBalance: 8n });
    expect(planFunding({ ...request, channels: [c] }).kind).toBe('open');
  });

  it('skips channels that are closing, settled, or to another receiver', () => {
    const channels = [
      aChannelRecord({ id: aChannelId(0n), state: 'closing' }),
      aChannelRecord({ id: aChannelId(1n), state: 'settled' }),
      aChannelRecord({ id: aChannelId(2n), receiver: CHANNEL_MANAGER }),
    ];
    expect(planFunding({ ...request, channels })).toEqual({ kind: 'open', deposit: 50n });
  });

  it('tops up to maxDeposit before opening another channel', () => {
    const c = aChannelRecord({ deposit: 10n, signedBalance: 8n });
    expect(planFunding({ ...request, channels: [c], maxDeposit: 30n })).toEqual({
      kind: 'topUp',
      channel: c,
      amount: 20n,
    });
  });

  it('opens when a top-up to maxDeposit would still not pay the amount', () => {
    const c = aChannelRecord({ deposit: 10n, signedBalance: 8n });
    expect(planFunding({ ...request, channels: [c], maxDeposit: 12n, openDeposit: 12n })).toEqual({
      kind: 'open',
      deposit: 12n,
    });
  });

  it('refuses when neither fits the limits', () => {
    expect(planFunding({ ...request, channels: [], openDeposit: 0n, maxDeposit: 0n }).kind).toBe('refuse');
    expect(planFunding({ ...request, channels: [], openDeposit: 60n, maxDeposit: 50n }).kind).toBe('refuse');
    expect(planFunding({ ...request, channels: [], openDeposit: 4n }).kind).toBe('refuse');
  });
});
