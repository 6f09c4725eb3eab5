import {
  aBalanceProofAccepted,
  aBalanceProofCharged,
  aBalanceProofCloseSigned,
  aChannelCloseRequested,
  aChannelCreated,
  aChannelId,
  aChannelSettled,
  aChannelSignerSet,
  aChannelToppedUp,
  aChannelWithdrawn,
  aRetraction,
  TEST_RECEIVER,
  TEST_SENDER,
  type MicroraidenEvent,
} from '@microraiden/events';
import { describe, expect, it } from 'vitest';
import type { ChannelProjection } from './channel-projection';
import { viewOf } from './channel-view';
import { evolve, type Evolution } from './evolve-channel';

const NOW = new Date('2025-02-01T12:00:00.000Z');
const channelId = aChannelId('evolve');

/** Fold events the way the database layer does: applied outcomes replace the state, others keep it. */
function fold(events: MicroraidenEvent[], start?: ChannelProjection) {
  let state = start;
  const outcomes: Evolution[] = [];
  for (const event of events) {
    const evolution = evolve(state, event, NOW);
    outcomes.push(evolution);
    if (evolution.outcome === 'applied') state = evolution.state;
  }
  return { state, outcomes, view: state ? viewOf(state) : undefined };
}

const proof = (balance: bigint, previousBalance = balance - 100n, extra = {}) =>
  aBalanceProofAccepted({ channelId, balance, previousBalance, ...extra });

describe('evolve: balance proofs', () => {
  it('accepts increasing balances and attributes each increment as revenue', () => {
    const { outcomes, view } = fold([proof(100n, 0n), proof(250n, 100n)]);
    expect(outcomes.map((o) => o.outcome)).toEqual(['applied', 'applied']);
    const revenue = outcomes.map((o) => (o.outcome === 'applied' ? o.revenue : null));
    expect(revenue).toEqual([
      expect.objectContaining({
        amount: 100n,
        route: '/api/weather',
        method: 'GET',
        sender: TEST_SENDER,
        day: '2025-01-01',
      }),
      expect.objectContaining({ amount: 150n }),
    ]);
    expect(view).toMatchObject({ balance: 250n, proofCount: 2, status: 'pending', sender: TEST_SENDER });
    expect(view?.signature).toMatch(/^0x[0-9a-f]{130}$/);
  });

  it('applying the same proof twice equals applying it once', () => {
    const once = fold([proof(100n, 0n)]);
    const twice = fold([proof(100n, 0n), proof(100n, 0n)]);
    expect(twice.outcomes[1]).toEqual({ outcome: 'duplicate' });
    expect(twice.state).toEqual(once.state);
  });

  it('ignores a proof whose balance is not above the accepted one, with the reason', () => {
    const { outcomes, view } = fold([proof(300n, 200n), proof(200n, 100n)]);
    expect(outcomes[1]).toMatchObject({ outcome: 'ignored', reason: 'BALANCE_NOT_INCREASING' });
    expect(view?.balance).toBe(300n);
  });

  it('ignores a proof naming other parties than the earlier proofs', () => {
    const { outcomes } = fold([
      proof(100n, 0n),
      proof(200n, 100n, { receiver: TEST_SENDER, sender: TEST_RECEIVER }),
    ]);
    expect(outcomes[1]).toMatchObject({ outcome: 'ignored', reason: 'PROOF_PARTIES_MISMATCH' });
  });

  it('counts only what the balance grew by when the gateway skipped a proof', () => {
    const { outcomes } = fold([proof(100n, 0n), proof(400n, 300n)]);
    expect(outcomes[1]).toMatchObject({
      outcome: 'applied',
      amount: 300n,
      revenue: expect.objectContaining({ amount: 300n }),
    });
  });
});

describe('evolve: metered charges', () => {
  /** A metered acceptance: signed up to `balance`, charged `charge`, charged balance `chargedBalance` after. */
  const metered = (balance: bigint, previousBalance: bigint, charge: bigint, chargedBalance: bigint) =>
    proof(balance, previousBalance, { charge, chargedBalance, route: '/api/metered' });
  const charged = (balance: bigint, charge: bigint, chargedBalance: bigint) =>
    aBalanceProofCharged({ channelId, balance, charge, chargedBalance });
  const revenueOf = (outcomes: Evolution[]) =>
    outcomes.map((o) => (o.outcome === 'applied' ? (o.revenue?.amount ?? null) : o.outcome));

  it('takes the charge as revenue and keeps the charged balance beside the signed one', () => {
    // Ceiling 100: the first request used 30, the second 5 (its proof still signs C + 100).
    const { outcomes, state, view } = fold([metered(100n, 0n, 30n, 30n), metered(130n, 100n, 5n, 35n)]);
    expect(revenueOf(outcomes)).toEqual([30n, 5n]);
    expect(state?.proof).toMatchObject({ balance: 130n, chargedBalance: 35n, count: 2 });
    expect(view).toMatchObject({ balance: 130n, proofCount: 2 });
  });

  it('charges a fixed-price proof without charge fields what the charged balance grew by', () => {
    // After metered ones (C 35 < S 130), an old producer's fixed proof at 230 charges 230 - 35, as the gateway does.
    const { outcomes, state } = fold([
      metered(100n, 0n, 30n, 30n),
      metered(130n, 100n, 5n, 35n),
      proof(230n),
    ]);
    expect(revenueOf(outcomes)).toEqual([30n, 5n, 195n]);
    expect(state?.proof).toMatchObject({ balance: 230n, chargedBalance: 230n });
  });

  it('adds charge-only commits to revenue without counting a proof, once per id', () => {
    const events = [metered(500n, 0n, 0n, 0n), charged(500n, 100n, 100n), charged(500n, 150n, 250n)];
    const { outcomes, state } = fold([...events, charged(500n, 100n, 100n)]);
    expect(revenueOf(outcomes)).toEqual([0n, 100n, 150n, 'ignored']);
    expect(outcomes[3]).toMatchObject({ reason: 'CHARGE_NOT_INCREASING' });
    expect(outcomes.map((o) => (o.outcome === 'applied' ? o.revenue?.proofs : null))).toEqual([
      1,
      0,
      0,
      null,
    ]);
    expect(state?.proof).toMatchObject({ balance: 500n, chargedBalance: 250n, count: 1 });
  });

  it('ignores a charge on a channel with no proof, or naming other parties', () => {
    expect(fold([charged(500n, 1n, 1n)]).outcomes[0]).toMatchObject({
      outcome: 'ignored',
      reason: 'CHARGE_WITHOUT_PROOF',
    });
    const other = aBalanceProofCharged({ channelId, sender: TEST_RECEIVER, receiver: TEST_SENDER });
    expect(fold([metered(500n, 0n, 0n, 0n), other]).outcomes[1]).toMatchObject({
      outcome: 'ignored',
      reason: 'PROOF_PARTIES_MISMATCH',
    });
  });

  it('never lowers the charged balance (a lower one charges nothing)', () => {
    const { outcomes, state } = fold([metered(100n, 0n, 60n, 60n), metered(200n, 100n, 10n, 50n)]);
    expect(revenueOf(outcomes)).toEqual([60n, 0n]);
    expect(state?.proof).toMatchObject({ balance: 200n, chargedBalance: 60n });
  });
});

describe('evolve: cooperative close signed', () => {
  const closeSigned = (balance: bigint, extra = {}) =>
    aBalanceProofCloseSigned({ channelId, balance, signedAt: '2025-01-03T00:00:00.000Z', ...extra });

  it('records the signed closing balance and when, without moving revenue or the chain state', () => {
    const created = aChannelCreated({ channelId, deposit: 1000n, blockNumber: 1 });
    const { outcomes, view } = fold([created, proof(100n, 0n), proof(200n, 100n), closeSigned(200n)]);
    expect(outcomes[3]).toMatchObject({
      outcome: 'applied',
      generation: 0,
      amount: null,
      balance: 200n,
      revenue: null,
    });
    expect(view).toMatchObject({
      status: 'open',
      balance: 200n,
      proofCount: 2,
      closeSignedBalance: 200n,
      closeSignedAt: '2025-01-03T00:00:00.000Z',
      closeBalance: null,
    });
  });

  it('drops a re-signature at the same balance (same id) and keeps the first time', () => {
    const once = fold([proof(200n, 100n), closeSigned(200n)]);
    const twice = fold([
      proof(200n, 100n),
      closeSigned(200n),
      closeSigned(200n, { signedAt: '2025-01-04T00:00:00.000Z', gatewayId: 'other-replica' }),
    ]);
    expect(twice.outcomes[2]).toEqual({ outcome: 'duplicate' });
    expect(twice.state).toEqual(once.state);
    expect(twice.view?.closeSignedAt).toBe('2025-01-03T00:00:00.000Z');
  });

  it('keeps the highest balance signed, whatever order re-signatures arrive in', () => {
    const { outcomes, view } = fold([closeSigned(300n), closeSigned(200n)]);
    expect(outcomes[1]).toMatchObject({ outcome: 'ignored', reason: 'CLOSE_ALREADY_SIGNED' });
    expect(view?.closeSignedBalance).toBe(300n);
    expect(fold([closeSigned(200n), closeSigned(300n)]).view?.closeSignedBalance).toBe(300n);
  });

  it('ignores a closing signature naming other parties than the proofs', () => {
    const { outcomes, view } = fold([
      proof(100n, 0n),
      closeSigned(100n, { sender: TEST_RECEIVER, receiver: TEST_SENDER }),
    ]);
    expect(outcomes[1]).toMatchObject({ outcome: 'ignored', reason: 'PROOF_PARTIES_MISMATCH' });
    expect(view?.closeSignedBalance).toBeNull();
  });

  it('ends in the same view whether the channel or the signature is read first', () => {
    const created = aChannelCreated({ channelId, deposit: 1000n, blockNumber: 7 });
    const signedFirst = fold([proof(100n, 0n), closeSigned(100n), created]);
    const chainFirst = fold([created, proof(100n, 0n), closeSigned(100n)]);
    expect(signedFirst.view).toMatchObject({ status: 'open', closeSignedBalance: 100n });
    expect({ ...signedFirst.view, updatedAt: null }).toEqual({ ...chainFirst.view, updatedAt: null });
    // Alone, the signature still names the channel's parties until the chain is seen.
    expect(fold([closeSigned(0n)]).view).toMatchObject({
      status: 'pending',
      sender: TEST_SENDER,
      receiver: TEST_RECEIVER,
      closeSignedBalance: 0n,
    });
  });
});

describe('evolve: chain events', () => {
  it('follows a channel through created, topped-up, withdrawn, close-requested and settled', () => {
    const events = [
      aChannelCreated({ channelId, deposit: 1000n, blockNumber: 10 }),
      aChannelToppedUp({ channelId, added: 500n, deposit: 1500n, blockNumber: 11 }),
      aChannelWithdrawn({ channelId, amount: 200n, withdrawn: 200n, blockNumber: 12 }),
    ];
    const open = fold(events);
    expect(open.outcomes.map((o) => o.outcome)).toEqual(['applied', 'applied', 'applied']);
    expect(open.view).toMatchObject({ status: 'open', deposit: 1500n, withdrawn: 200n, createdBlock: 10 });

    const closing = fold(
      [aChannelCloseRequested({ channelId, balance: 300n, settleAt: 1_800_000_000n, blockNumber: 13 })],
      open.state,
    );
    expect(closing.view).toMatchObject({ status: 'closing', closeBalance: 300n, settleAt: 1_800_000_000n });

    const settled = fold(
      [
        aChannelSettled(
          { channelId, balance: 300n, receiverPaid: 100n, senderRefund: 1200n, blockNumber: 14 },
          { occurredAt: '2025-01-02T00:00:00.000Z' },
        ),
      ],
      closing.state,
    );
    expect(settled.view).toMatchObject({
      status: 'settled',
      settledBalance: 300n,
      receiverPaid: 100n,
      senderRefund: 1200n,
      settledAt: '2025-01-02T00:00:00.000Z',
    });
    expect(settled.outcomes[0]).toMatchObject({ outcome: 'applied', amount: 100n, balance: 300n });
  });

  it('applying the same chain event twice equals applying it once', () => {
    const created = aChannelCreated({ channelId });
    const once = fold([created]);
    const twice = fold([created, created]);
    expect(twice.outcomes[1]).toEqual({ outcome: 'duplicate' });
    expect(twice.state).toEqual(once.state);
  });

  it('ignores chain events of a channel whose creation it never saw', () => {
    const { outcomes, state } = fold([aChannelToppedUp({ channelId })]);
    expect(outcomes[0]).toMatchObject({ outcome: 'ignored', reason: 'CHANNEL_UNKNOWN' });
    expect(state).toBeUndefined();
  });

  it('records channel.signer-set as a chain fact that moves no money, and undoes it on retraction', () => {
    const created = aChannelCreated({ channelId, deposit: 1000n, blockNumber: 3, logIndex: 0 });
    const signerSet = aChannelSignerSet({ channelId, blockNumber: 3, logIndex: 1 });
    const before = fold([created]);
    const { outcomes, view, state } = fold([created, signerSet, signerSet, aRetraction(signerSet)]);
    expect(outcomes.slice(1)).toEqual([
      expect.objectContaining({ outcome: 'applied', amount: null, balance: null, revenue: null }),
      { outcome: 'duplicate' },
      expect.objectContaining({ outcome: 'applied' }),
    ]);
    expect(state?.chainFacts.map((f) => [f.type, f.applied])).toEqual([
      ['channel.created', true],
      ['channel.signer-set', false],
    ]);
    expect({ ...view, updatedAt: null }).toEqual({ ...before.view, updatedAt: null });
    // Without its channel it is ignored like any other chain event.
    expect(fold([signerSet]).outcomes[0]).toMatchObject({ outcome: 'ignored', reason: 'CHANNEL_UNKNOWN' });
  });

  it('ignores a second, different channel.created', () => {
    const { outcomes } = fold([aChannelCreated({ channelId }), aChannelCreated({ channelId, deposit: 5n })]);
    expect(outcomes[1]).toMatchObject({ outcome: 'ignored', reason: 'CHANNEL_ALREADY_CREATED' });
  });
});

describe('evolve: out-of-order topics', () => {
  it('keeps proofs that arrive before the channel and completes the channel when it is created', () => {
    const created = aChannelCreated({ channelId, deposit: 1000n, blockNumber: 7 });
    const proofsFirst = fold([proof(100n, 0n), proof(200n, 100n), created]);
    expect(proofsFirst.view).toMatchObject({ status: 'open', balance: 200n, deposit: 1000n, proofCount: 2 });
    const chainFirst = fold([created, proof(100n, 0n), proof(200n, 100n)]);
    // Same end state whichever topic was read first.
    expect({ ...proofsFirst.view, updatedAt: null }).toEqual({ ...chainFirst.view, updatedAt: null });
  });
});

describe('evolve: retractions', () => {
  it('undoes a retracted top-up by recomputing from the remaining facts', () => {
    const created = aChannelCreated({ channelId, deposit: 1000n, blockNumber: 1 });
    const topUp = aChannelToppedUp({ channelId, added: 500n, deposit: 1500n, blockNumber: 2 });
    const { view, outcomes } = fold([created, topUp, aRetraction(topUp)]);
    expect(outcomes[2]).toMatchObject({ outcome: 'applied', generation: 0 });
    expect(view).toMatchObject({ deposit: 1000n, status: 'open' });
  });

  it('re-applies a log that becomes canonical again (A -> B -> A) with a new generation', () => {
    const created = aChannelCreated({ channelId, deposit: 1000n, blockNumber: 1 });
    const close = aChannelCloseRequested({ channelId, blockNumber: 2 });
    const { view, outcomes } = fold([created, close, aRetraction(close), close, aRetraction(close), close]);
    expect(outcomes.map((o) => o.outcome)).toEqual([
      'applied',
      'applied',
      'applied',
      'applied',
      'applied',
      'applied',
    ]);
    expect(outcomes.map((o) => (o.outcome === 'applied' ? o.generation : null))).toEqual([0, 0, 0, 1, 1, 2]);
    expect(view?.status).toBe('closing');
  });

  it('ignores the retraction of an event that is not applied', () => {
    const created = aChannelCreated({ channelId });
    const { outcomes } = fold([created, aRetraction(aChannelToppedUp({ channelId }))]);
    expect(outcomes[1]).toMatchObject({ outcome: 'ignored', reason: 'RETRACTED_EVENT_NOT_APPLIED' });
  });

  it('a repeated retraction changes nothing', () => {
    const created = aChannelCreated({ channelId });
    const topUp = aChannelToppedUp({ channelId });
    const once = fold([created, topUp, aRetraction(topUp)]);
    const twice = fold([aRetraction(topUp)], once.state);
    expect(twice.outcomes[0]).toMatchObject({ outcome: 'ignored' });
    expect(twice.state).toEqual(once.state);
  });
});
