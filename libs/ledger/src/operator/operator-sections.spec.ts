import { describe, expect, it } from 'vitest';
import { aDashboard } from '../test/dashboard-builders';
import { anOperatorSnapshot } from '../test/operator-snapshot-builders';
import { operatorPageUpdate, renderOperatorPage } from './operator-page';
import { buildOperatorView } from './operator-view';

const MTK = { symbol: 'MTK', decimals: 18 };
const now = new Date('2026-02-03T04:05:06.000Z');
const view = buildOperatorView({ snapshot: anOperatorSnapshot(), lag: [], token: MTK, now });
const E15 = 10n ** 15n;

const closing = {
  channelId: `0x${'cd'.repeat(32)}`,
  sender: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  status: 'closing' as const,
  deposit: 10n * E15,
  balance: 4n * E15,
  closeBalance: E15,
  settleAt: BigInt(Date.parse('2026-02-03T05:05:06.000Z') / 1000),
  settledBalance: null,
  settledAt: null,
  updatedAt: '2026-02-03T04:00:00.000Z',
};

describe('operator page sections', () => {
  it('shows a close to dispute with the claim, the proof, and the deadline in human time', () => {
    const { sections } = operatorPageUpdate(view, aDashboard({ closes: [closing], closeCount: 1 }));
    const html = sections['section-disputes']!;
    expect(html).toContain('data-field="verdict">dispute due<');
    expect(html).toContain('data-field="claimed" data-base-units="1000000000000000">0.001 MTK');
    expect(html).toContain('data-field="accepted" data-base-units="4000000000000000">0.004 MTK');
    expect(html).toContain('>2026-02-03 05:05 UTC</time>');
    expect(html).toContain('(in 1 h)');
    expect(sections['section-totals']).toContain('data-field="disputes-due">1<');
  });

  it('lists senders largest first in token units', () => {
    const { sections } = operatorPageUpdate(
      view,
      aDashboard({ senders: [{ sender: '0xabc', amount: 3n * E15, proofs: 3 }], senderCount: 9 }),
    );
    expect(sections['section-senders']).toContain('1 largest of 9 senders');
    expect(sections['section-senders']).toContain(
      'data-field="sender-revenue" data-base-units="3000000000000000">0.003 MTK',
    );
  });

  it.each([
    [{ state: 'unknown' } as const, 'unknown: CHAIN_WATCHER_URL is not set'],
    [{ state: 'unreachable', reason: 'timeout' } as const, 'UNREACHABLE'],
    [
      {
        state: 'not-ready',
        checks: [{ name: 'kafka', up: false, detail: 'unavailable (ECONNREFUSED)' }],
      } as const,
      'NOT READY',
    ],
  ])('says what it knows of the chain-watcher (%o)', (watcher, words) => {
    const { sections } = operatorPageUpdate(view, aDashboard({}, watcher));
    expect(sections['section-watcher']).toContain(words);
  });

  it('escapes what came from events and from the watcher in every new section', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const { sections } = operatorPageUpdate(
      view,
      aDashboard(
        { senders: [{ sender: hostile, amount: 1n, proofs: 1 }], closes: [{ ...closing, sender: hostile }] },
        { state: 'ready', checks: [{ name: hostile, up: true, detail: hostile }] },
      ),
    );
    const all = Object.values(sections).join('\n');
    expect(all).not.toContain('<img');
    expect(all).toContain('&lt;img');
  });

  it('embeds the chart series as inert JSON that no value can break out of', () => {
    const html = renderOperatorPage(view, aDashboard());
    const data = /<script type="application\/json" id="chart-data">([^<]*)<\/script>/.exec(html)?.[1];
    expect(JSON.parse(data!)).toEqual({ days: expect.any(Array), revenue: [0, 0, 0], requests: [0, 0, 0] });
  });
});
