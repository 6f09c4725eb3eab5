import { describe, expect, it } from 'vitest';
import {
  aChannelIdOf,
  aChannelRecord,
  anOperatorSnapshot,
  aPartitionLag,
} from '../test/operator-snapshot-builders';
import { buildOperatorView } from './operator-view';

const MTK = { symbol: 'MTK', decimals: 18 };
const now = new Date('2026-02-03T04:05:06.000Z');

describe('buildOperatorView', () => {
  const open = aChannelRecord({
    channelId: aChannelIdOf('01'),
    balance: 3n * 10n ** 15n,
    withdrawn: 10n ** 15n,
  });
  const closing = aChannelRecord({
    channelId: aChannelIdOf('02'),
    status: 'closing',
    balance: 5n * 10n ** 15n,
    closeBalance: 10n ** 15n,
    closeSignedBalance: 5n * 10n ** 15n,
  });
  const settled = aChannelRecord({
    channelId: aChannelIdOf('03'),
    status: 'settled',
    balance: 7n * 10n ** 15n,
    receiverPaid: 7n * 10n ** 15n,
  });
  const snapshot = anOperatorSnapshot({
    channels: [open, closing, settled],
    revenueByRoute: [
      { route: '/api/fortune', method: 'GET', amount: 12n * 10n ** 15n, proofs: 12 },
      { route: '/api/echo', method: 'GET', amount: 3n * 10n ** 15n, proofs: 6 },
    ],
    receivedOnChain: 8n * 10n ** 15n,
    fundsAtRisk: {
      total: 7n * 10n ** 15n,
      channels: [
        { ...closing, atRisk: 5n * 10n ** 15n },
        { ...open, atRisk: 2n * 10n ** 15n },
      ],
    },
  });

  it('totals the accepted revenue over routes and keeps every amount exact in both forms', () => {
    const view = buildOperatorView({ snapshot, lag: [], token: MTK, now });
    expect(view.acceptedRevenue).toEqual({ base: '15000000000000000', units: '0.015' });
    expect(view.acceptedProofs).toBe(18);
    expect(view.receivedOnChain).toEqual({ base: '8000000000000000', units: '0.008' });
    expect(view.fundsAtRisk).toEqual({ base: '7000000000000000', units: '0.007' });
    expect(view.revenueByRoute.map((r) => [r.route, r.amount.units, r.proofs])).toEqual([
      ['/api/fortune', '0.012', 12],
      ['/api/echo', '0.003', 6],
    ]);
    expect(view.generatedAt).toBe('2026-02-03T04:05:06.000Z');
  });

  it('shows each channel with its state, latest accepted balance, funds at risk and last activity', () => {
    const view = buildOperatorView({ snapshot, lag: [], token: MTK, now });
    expect(view.channelCount).toBe(3);
    expect(view.channelsByStatus).toEqual({ pending: 0, open: 1, closing: 1, settled: 1 });
    const [first, second, third] = view.channels;
    expect(first).toMatchObject({
      channelId: open.channelId,
      status: 'open',
      balance: { base: '3000000000000000', units: '0.003' },
      withdrawn: { units: '0.001' },
      atRisk: { units: '0.002' },
      closeBalance: null,
      closeSignedBalance: null,
      lastActivityAt: open.updatedAt,
    });
    expect(second).toMatchObject({
      status: 'closing',
      closeBalance: { units: '0.001' },
      closeSignedBalance: { base: '5000000000000000', units: '0.005' },
      atRisk: { units: '0.005' },
    });
    expect(third).toMatchObject({ status: 'settled', atRisk: { base: '0' } });
  });

  it('sums the lag over partitions, names the worst one, and tells a consumer that has not joined', () => {
    const lagging = buildOperatorView({
      snapshot,
      lag: [aPartitionLag(0, 3n), aPartitionLag(1, 9n, 'channels')],
      token: MTK,
      now,
    });
    expect(lagging.lag).toMatchObject({ joined: true, total: '12', max: '9' });
    expect(lagging.lag.partitions[1]).toEqual({
      topic: 'channels',
      partition: 1,
      lag: '9',
      position: '91',
      highWatermark: '100',
    });
    const notJoined = buildOperatorView({ snapshot, lag: null, token: MTK, now });
    expect(notJoined.lag).toEqual({ joined: false, total: '0', max: '0', partitions: [] });
  });

  it('flags accepted revenue above the confirmed deposit, per channel and in total', () => {
    const reorgedTopUp = aChannelRecord({
      channelId: aChannelIdOf('04'),
      deposit: 5n * 10n ** 15n,
      balance: 12n * 10n ** 15n,
    });
    const view = buildOperatorView({
      snapshot: anOperatorSnapshot({
        channels: [open, reorgedTopUp],
        overDeposit: { channels: 1, total: 7n * 10n ** 15n },
      }),
      lag: [],
      token: MTK,
      now,
    });
    expect(view.channelsOverDeposit).toBe(1);
    expect(view.revenueOverDeposit).toEqual({ base: '7000000000000000', units: '0.007' });
    expect(view.channels.map((c) => c.overDeposit.units)).toEqual(['0', '0.007']);
  });

  it('formats with the configured decimals', () => {
    const view = buildOperatorView({ snapshot, lag: [], token: { symbol: 'USDC', decimals: 6 }, now });
    expect(view.acceptedRevenue.units).toBe('15000000000');
  });
});
