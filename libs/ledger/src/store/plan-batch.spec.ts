import {
  aBalanceProofAccepted,
  aChannelCreated,
  aChannelId,
  aChannelToppedUp,
  type MicroraidenEvent,
} from '@microraiden/events';
import { describe, expect, it } from 'vitest';
import type { ChannelProjection } from '../projection/channel-projection';
import { evolve } from '../projection/evolve-channel';
import { planBatch, revenueRowsOf, scopeOf, type ProjectionBatch } from './plan-batch';

const NOW = new Date('2025-03-01T00:00:00.000Z');
const channelId = aChannelId('plan');

function batchOf(events: MicroraidenEvent[], firstOffset = 0n): ProjectionBatch {
  return {
    topic: 't',
    partition: 0,
    events: events.map((event, i) => ({ event, offset: firstOffset + BigInt(i) })),
    nextOffset: firstOffset + BigInt(events.length),
  };
}

const proof = (balance: bigint, extra = {}) =>
  aBalanceProofAccepted({ channelId, balance, previousBalance: balance - 10n, price: 10n, ...extra });

const plan = (batch: ProjectionBatch, overrides: Partial<Parameters<typeof planBatch>[0]> = {}) =>
  planBatch({
    batch,
    storedOffset: 0n,
    channels: new Map(scopeOf(batch, overrides.storedOffset ?? 0n).channelIds.map((id) => [id, undefined])),
    alreadyApplied: new Set(),
    now: NOW,
    ...overrides,
  });

describe('scopeOf', () => {
  it('keeps the events at or past the stored offset and names their channels (sorted) and proof ids', () => {
    const other = aChannelId('other');
    const created = aChannelCreated({ channelId: other });
    const batch = batchOf([proof(10n), created, proof(20n)]);
    const scope = scopeOf(batch, 1n);
    expect(scope.fresh.map((e) => e.offset)).toEqual([1n, 2n]);
    expect(scope.channelIds).toEqual([channelId, other].map((id) => id.toLowerCase()).sort());
    expect(scope.proofIds).toEqual([proof(20n).id]);
  });
});

describe('planBatch', () => {
  it('counts events below the stored offset as duplicates and writes nothing for them', () => {
    const result = plan(batchOf([proof(10n), proof(20n)]), { storedOffset: 2n, channels: new Map() });
    expect(result.counts).toEqual([{ type: 'balance-proof.accepted', outcome: 'duplicate', count: 2 }]);
    expect(result.audit).toEqual([]);
    expect(result.updates).toEqual([]);
  });

  it('applies proofs in order: one update per channel, an audit row each, revenue summed by key', () => {
    const result = plan(batchOf([proof(10n), proof(20n, { route: '/b' }), proof(30n)]));
    expect(result.counts).toEqual([{ type: 'balance-proof.accepted', outcome: 'applied', count: 3 }]);
    expect(result.updates).toHaveLength(1);
    expect(result.updates[0]).toMatchObject({
      channel_id: channelId.toLowerCase(),
      balance: '30',
      proof_count: 3,
    });
    expect(result.audit.map((row) => [row.offset, row.outcome, row.amount])).toEqual([
      ['0', 'applied', '10'],
      ['1', 'applied', '10'],
      ['2', 'applied', '10'],
    ]);
    expect(result.revenue.byRoute.map((row) => [row.route, row.amount, row.proofs])).toEqual([
      ['/api/weather', '20', 2],
      ['/b', '10', 1],
    ]);
  });

  it('skips a proof the audit trail already applied, and one repeated within the batch', () => {
    const again = proof(10n);
    const result = plan(batchOf([again, proof(20n), proof(20n)]), { alreadyApplied: new Set([again.id]) });
    expect(result.counts).toEqual([
      { type: 'balance-proof.accepted', outcome: 'duplicate', count: 2 },
      { type: 'balance-proof.accepted', outcome: 'applied', count: 1 },
    ]);
    expect(result.audit).toHaveLength(1);
  });

  it('records an ignored event and deletes the placeholder of a channel nothing was applied to', () => {
    const ghost = aChannelId('ghost');
    const result = plan(batchOf([aChannelToppedUp({ channelId: ghost })]));
    expect(result.counts).toEqual([{ type: 'channel.topped-up', outcome: 'ignored', count: 1 }]);
    expect(result.audit[0]).toMatchObject({ outcome: 'ignored', reason: 'CHANNEL_UNKNOWN', generation: 0 });
    expect(result.updates).toEqual([]);
    expect(result.emptyPlaceholders).toEqual([ghost.toLowerCase()]);
  });

  it('evolves from the stored projection it is given', () => {
    const created = evolve(undefined, aChannelCreated({ channelId }), NOW);
    const stored = new Map<string, ChannelProjection | undefined>([
      [channelId.toLowerCase(), created.outcome === 'applied' ? created.state : undefined],
    ]);
    const result = plan(batchOf([proof(10n)]), { channels: stored });
    expect(result.updates[0]).toMatchObject({ status: 'open', balance: '10' });
  });
});

describe('revenueRowsOf', () => {
  it('sums per key in key order', () => {
    const entry = {
      route: '/a',
      method: 'GET',
      sender: '0xs',
      receiver: '0xr',
      day: '2025-03-01',
      amount: 5n,
      proofs: 1 as const,
    };
    const charge = { ...entry, amount: 2n, proofs: 0 as const };
    const rows = revenueRowsOf([entry, { ...entry, route: '/0', sender: '0xt' }, entry, charge]);
    expect(rows.byRoute).toEqual([
      { route: '/0', method: 'GET', amount: '5', proofs: 1 },
      { route: '/a', method: 'GET', amount: '12', proofs: 2 },
    ]);
    expect(rows.bySender.map((r) => r.sender)).toEqual(['0xs', '0xt']);
    // A charge-only commit adds revenue but no proof.
    expect(rows.byDay).toEqual([{ day: '2025-03-01', amount: '17', proofs: 3 }]);
  });
});
