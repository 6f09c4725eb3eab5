import { describe, expect, it } from 'vitest';
import { buildDashboardView, lastDays } from './dashboard-view';

const MTK = { symbol: 'MTK', decimals: 18 };
const E15 = 10n ** 15n;

describe('buildDashboardView', () => {
  const days = lastDays(new Date('2026-12-03T13:00:00Z'), 3);
  const view = buildDashboardView({
    data: {
      days: [{ day: '2026-12-02', amount: 1500n * E15, proofs: 1500 }],
      senders: [{ sender: '0xabc', amount: 3n * E15, proofs: 3 }],
      senderCount: 7,
      closes: [
        {
          channelId: '0x01',
          sender: '0xabc',
          status: 'closing',
          deposit: 10n * E15,
          balance: 4n * E15,
          closeBalance: E15,
          settleAt: 1_796_310_000n,
          settledBalance: null,
          settledAt: null,
          updatedAt: '2026-12-03T12:00:00.000Z',
        },
      ],
      closeCount: 1,
    },
    watcher: { state: 'unknown' },
    token: MTK,
    days,
  });

  it('charts the last days, oldest first, zero where nothing was accepted', () => {
    expect(days).toEqual(['2026-12-01', '2026-12-02', '2026-12-03']);
    expect(view.charts.days).toEqual([1_796_083_200, 1_796_169_600, 1_796_256_000]);
    expect(view.charts.revenue).toEqual([0, 1.5, 0]);
    expect(view.charts.requests).toEqual([0, 1500, 0]);
  });

  it('gives senders and closes in token units, with the verdict and the dispute deadline', () => {
    expect(view.senders).toEqual([
      { sender: '0xabc', amount: { base: '3000000000000000', units: '0.003' }, proofs: 3 },
    ]);
    expect(view.closes[0]).toMatchObject({
      claimed: { units: '0.001' },
      accepted: { units: '0.004' },
      settled: null,
      verdict: 'dispute-due',
      settleAt: new Date(1_796_310_000_000).toISOString(),
    });
    expect(view.disputesDue).toBe(1);
  });
});
