import { ProtocolError, type Address, type Hex32, type Payment } from '@microraiden/protocol';
import { describe, expect, it } from 'vitest';
import { decidePendingDeposit, type ChainChannelState } from './pending-deposit-decision';

const sender = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' as Address;
const receiver = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as Address;
const stranger = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' as Address;
const channelId = `0x${'ab'.repeat(32)}` as Hex32;
const notFound = new ProtocolError('CHANNEL_NOT_FOUND', { channelId });
const exceeds = new ProtocolError('BALANCE_EXCEEDS_DEPOSIT', { balance: '800', deposit: '500' });

function payment(balance: bigint): Payment {
  return { sender, channelId, balance, signature: `0x${'11'.repeat(65)}` } as Payment;
}

function chain(overrides: Partial<ChainChannelState> = {}): ChainChannelState {
  return {
    head: 100,
    channel: { sender, receiver, deposit: 1500n, closing: false },
    recentChanges: [
      { kind: 'created', block: 99, deposit: 500n },
      { kind: 'topped-up', block: 100, deposit: 1500n },
    ],
    ...overrides,
  };
}

const decide = (refusal: ProtocolError, balance: bigint, state = chain(), required = 3) =>
  decidePendingDeposit({ refusal, payment: payment(balance), receiver, chain: state, required });

describe('decidePendingDeposit', () => {
  it('says wait for an unknown channel the chain has, counting confirmations as head - block', () => {
    // Covered by the creation alone: its block counts (one block on top of it).
    const judged = decide(notFound, 400n);
    expect(judged.code).toBe('CHANNEL_INSUFFICIENT_CONFIRMATIONS');
    expect(judged.details).toEqual({
      reason: 'channel not confirmed yet',
      confirmations: 1,
      required: 3,
      missing: 2,
    });
    // Covered only with the top-up mined in the head block.
    expect(decide(notFound, 800n).details).toEqual({
      reason: 'top-up not confirmed yet',
      confirmations: 0,
      required: 3,
      missing: 3,
    });
  });

  it('says wait for a top-up the chain has that covers the proof, and the first change that covers it counts', () => {
    const judged = decide(exceeds, 800n);
    expect(judged.code).toBe('CHANNEL_INSUFFICIENT_CONFIRMATIONS');
    expect(judged.details).toMatchObject({
      reason: 'top-up not confirmed yet',
      confirmations: 0,
      missing: 3,
    });
  });

  it('keeps BALANCE_EXCEEDS_DEPOSIT when even the latest deposit does not cover the proof', () => {
    expect(decide(exceeds, 1501n)).toBe(exceeds);
  });

  it('says wait for an unknown channel whose deposit does not cover the proof: confirmations come first', () => {
    expect(decide(notFound, 5000n).details).toMatchObject({
      reason: 'channel not confirmed yet',
      missing: 2,
    });
  });

  it('says wait without a count when the change is confirmed on chain but not yet seen by the gateway', () => {
    const judged = decide(notFound, 400n, chain({ recentChanges: [] }));
    expect(judged.code).toBe('CHANNEL_INSUFFICIENT_CONFIRMATIONS');
    expect(judged.details).toEqual({
      required: 3,
      reason: 'confirmed on chain, not yet seen by the gateway',
    });
    const atDepth = chain({ head: 103, recentChanges: [{ kind: 'created', block: 100, deposit: 1500n }] });
    expect(decide(notFound, 400n, atDepth).details).toMatchObject({
      confirmations: 3,
      missing: 0,
    });
  });

  it('keeps the refusal for a channel the chain does not have, a closing one, or one of other parties', () => {
    expect(decide(notFound, 400n, chain({ channel: undefined, recentChanges: [] }))).toBe(notFound);
    expect(decide(notFound, 400n, chain({ channel: { ...chain().channel!, closing: true } }))).toBe(notFound);
    expect(decide(notFound, 400n, chain({ channel: { ...chain().channel!, receiver: stranger } }))).toBe(
      notFound,
    );
    expect(decide(notFound, 400n, chain({ channel: { ...chain().channel!, sender: stranger } }))).toBe(
      notFound,
    );
  });

  it('never changes other refusals', () => {
    const closing = new ProtocolError('CHANNEL_CLOSING');
    expect(decide(closing, 400n)).toBe(closing);
  });
});
