import {
  aChannelId,
  balanceProofCloseSignedId,
  encodeEvent,
  type MicroraidenEvent,
} from '@microraiden/events';
import {
  channelDomain,
  privateKeyToAddress,
  recoverClosingProofSigner,
  signBalanceProof,
  type Hex32,
} from '@microraiden/protocol';
import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { ChannelCloser } from './channel-closer';
import { receiverKeyOf } from './receiver-key';
import { InMemoryChannelStore } from '../testing/in-memory-channel-store';

// anvil's public test keys: never funds of value.
const SENDER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const RECEIVER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const sender = privateKeyToAddress(SENDER_KEY);
const receiver = privateKeyToAddress(RECEIVER_KEY);
const CHANNEL_MANAGER = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const domain = channelDomain(31337n, CHANNEL_MANAGER);
const channelId = aChannelId('closer') as Hex32;
const NOW = new Date('2026-03-04T05:06:07.000Z');

/** A store whose channel receives one more payment between the closer's read and its compare-and-set. */
class RacingStore extends InMemoryChannelStore {
  override async markClosing(id: Hex32, balance: bigint, event: MicroraidenEvent): Promise<boolean> {
    const row = this.channels.get(id)!;
    const moved = row.acceptedBalance + 100n;
    this.channels.set(id, { ...row, acceptedBalance: moved, chargedBalance: moved });
    return super.markClosing(id, balance, event);
  }
}

function setUp(store = new InMemoryChannelStore(), accepted = 300n) {
  store.put({ channelId, sender, receiver, deposit: 1000n, acceptedBalance: accepted });
  const closer = new ChannelCloser(store, { receiver, domain }, receiverKeyOf(new Wallet(RECEIVER_KEY)), {
    gatewayId: 'gw-1',
    clock: () => NOW,
  });
  return { store, closer };
}

function closeRequest(balance: bigint) {
  return {
    sender,
    channelId,
    balance: balance.toString(),
    balanceSignature: signBalanceProof(SENDER_KEY, domain, { channelId, receiver, balance }),
  };
}

describe('ChannelCloser', () => {
  it('marks the channel closing and enqueues balance-proof.close-signed with the signature it answers', async () => {
    const { store, closer } = setUp();
    const result = await closer.close(closeRequest(300n));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(store.channels.get(channelId)?.state).toBe('closing');
    expect(store.events).toHaveLength(1);
    const event = store.events[0]!;
    expect(event).toEqual({
      id: balanceProofCloseSignedId({
        chainId: 31337,
        channelManager: CHANNEL_MANAGER,
        channelId,
        balance: 300n,
      }),
      type: 'balance-proof.close-signed',
      version: 1,
      occurredAt: NOW.toISOString(),
      source: 'gateway',
      data: {
        channelId,
        sender,
        receiver,
        channelManager: CHANNEL_MANAGER,
        chainId: 31337,
        balance: 300n,
        closingSignature: result.value.closingSignature,
        gatewayId: 'gw-1',
        signedAt: NOW.toISOString(),
      },
    });
    // A valid event (the outbox encodes it) whose signature is the receiver's closing proof.
    expect(() => encodeEvent(event)).not.toThrow();
    const signer = recoverClosingProofSigner(
      domain,
      { channelId, sender, balance: 300n },
      result.value.closingSignature,
    );
    expect(signer.ok && signer.value).toBe(receiver);
  });

  it('enqueues the same event id again when asked again for the same balance', async () => {
    const { store, closer } = setUp();
    expect((await closer.close(closeRequest(300n))).ok).toBe(true);
    expect((await closer.close(closeRequest(300n))).ok).toBe(true);
    expect(store.events.map((e) => e.id)).toEqual([store.events[0]!.id, store.events[0]!.id]);
  });

  it('enqueues nothing when the compare-and-set loses against a payment', async () => {
    const { store, closer } = setUp(new RacingStore());
    const result = await closer.close(closeRequest(300n));
    expect(result).toMatchObject({ ok: false, error: { code: 'CLOSE_BALANCE_MISMATCH' } });
    expect(store.events).toEqual([]);
    expect(store.channels.get(channelId)?.state).toBe('open');
  });

  it('closes a metered channel at its charged balance, not at the balance signed', async () => {
    const { store, closer } = setUp();
    store.put({ channelId, sender, receiver, deposit: 1000n, acceptedBalance: 300n, chargedBalance: 220n });
    expect(await closer.close(closeRequest(300n))).toMatchObject({
      ok: false,
      error: { code: 'CLOSE_BALANCE_MISMATCH', details: { expected: '220' } },
    });
    expect(await closer.close(closeRequest(220n))).toMatchObject({ ok: true, value: { balance: '220' } });
    expect(store.channels.get(channelId)?.state).toBe('closing');
    expect(store.events).toHaveLength(1);
  });

  it('enqueues nothing when the close is refused or the database fails', async () => {
    const { store, closer } = setUp();
    expect(await closer.close(closeRequest(200n))).toMatchObject({
      ok: false,
      error: { code: 'CLOSE_BALANCE_MISMATCH' },
    });
    store.failing = true;
    await expect(closer.close(closeRequest(300n))).rejects.toThrow(/database unreachable/);
    expect(store.events).toEqual([]);
  });
});
