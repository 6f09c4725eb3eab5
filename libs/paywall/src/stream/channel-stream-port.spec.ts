import { channelDomain, privateKeyToAddress, signBalanceProof, type Hex32 } from '@microraiden/protocol';
import { describe, expect, it } from 'vitest';
import { InMemoryChannelStore } from '../testing/in-memory-channel-store';
import { ChannelStreamPort } from './channel-stream-port';

// anvil's public test keys: never funds of value.
const SENDER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const sender = privateKeyToAddress(SENDER_KEY);
const receiver = privateKeyToAddress('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const domain = channelDomain(31337n, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
const channelId = `0x${'cd'.repeat(32)}` as Hex32;
const STEP = 40n;

/** A store that counts its reads, holding one channel of `deposit`, S = C = 100 (a stream's first proof taken). */
function setUp(deposit = 1000n) {
  const store = new InMemoryChannelStore();
  store.put({ channelId, sender, receiver, deposit, acceptedBalance: 100n });
  let reads = 0;
  const snapshot = store.snapshot.bind(store);
  store.snapshot = (id) => (reads++, snapshot(id));
  const port = new ChannelStreamPort({
    store,
    receiver,
    domain,
    gatewayId: 'spec',
    channelId,
    sender,
    route: '/v1/complete',
    method: 'POST',
    pricing: { unitPrice: 10n, unitsPerStep: 4 },
    snapshot: store.channels.get(channelId),
    clock: () => new Date(0),
  });
  return { store, port, reads: () => reads };
}

const line = (balance: bigint) => ({
  balance,
  signature: signBalanceProof(SENDER_KEY, domain, { channelId, receiver, balance }),
});
const terms = (S: bigint) => ({ lastAcceptedBalance: S, chargedBalance: S, price: STEP });
const commit = (expectedBalance: bigint, balance: bigint) =>
  ({ kind: 'commit-top-up', expectedBalance, expectedCharged: 100n, balance, charge: 0n }) as const;

describe('the stream port over the channel table', () => {
  it('verifies top-ups on the row the stream started with: no read per line', async () => {
    const { port, reads } = setUp();
    const first = line(140n);
    expect(await port.verifyTopUp(first, terms(100n))).toEqual({ ok: true });
    expect(await port.commitTopUp(commit(100n, 140n), first.signature)).toBe(true);
    expect(await port.verifyTopUp(line(180n), terms(140n))).toEqual({ ok: true });
    expect(reads()).toBe(0);
  });

  it('judges a refusal on that row again on a fresh read (a deposit topped up on chain meanwhile)', async () => {
    const { store, port, reads } = setUp(120n);
    store.put({ channelId, sender, receiver, deposit: 1000n, acceptedBalance: 100n });
    expect(await port.verifyTopUp(line(140n), terms(100n))).toEqual({ ok: true });
    expect(reads()).toBe(1);
    // Still refused on the fresh row: that refusal stands.
    expect(await port.verifyTopUp(line(2000n), terms(100n))).toMatchObject({
      code: 'BALANCE_EXCEEDS_DEPOSIT',
    });
    expect(reads()).toBe(2);
  });

  it('reads the row afresh after a commit that did not go through (a channel closing meanwhile)', async () => {
    const { store, port, reads } = setUp();
    store.put({ channelId, sender, receiver, deposit: 1000n, acceptedBalance: 100n, state: 'closing' });
    const first = line(140n);
    // The remembered row says open; the compare-and-set does not take it.
    expect(await port.verifyTopUp(first, terms(100n))).toEqual({ ok: true });
    expect(await port.commitTopUp(commit(100n, 140n), first.signature)).toBe(false);
    expect(await port.verifyTopUp(line(140n), terms(100n))).toMatchObject({
      ok: false,
      code: 'CHANNEL_CLOSING',
    });
    expect(reads()).toBe(1);
  });

  it('reports an unreadable channel as GATEWAY_UNAVAILABLE', async () => {
    const { store, port } = setUp(120n);
    store.failing = true;
    expect(await port.verifyTopUp(line(140n), terms(100n))).toMatchObject({ code: 'GATEWAY_UNAVAILABLE' });
  });
});
