import { describe, expect, it } from 'vitest';
import {
  aChannelIdOf,
  aChannelRecord,
  anOperatorSnapshot,
  aPartitionLag,
} from '../test/operator-snapshot-builders';
import { aDashboard } from '../test/dashboard-builders';
import { renderOperatorPage } from './operator-page';
import { buildOperatorView } from './operator-view';

const MTK = { symbol: 'MTK', decimals: 18 };
const now = new Date('2026-02-03T04:05:06.000Z');

const field = (html: string, name: string) =>
  new RegExp(`data-field="${name}" data-base-units="(\\d+)">([^<]*)<`).exec(html)?.slice(1);

describe('renderOperatorPage', () => {
  const channel = aChannelRecord({ channelId: aChannelIdOf('cd'), balance: 1_500_000_000_000_000n });
  const view = buildOperatorView({
    snapshot: anOperatorSnapshot({
      channels: [channel],
      revenueByRoute: [{ route: '/api/fortune', method: 'GET', amount: 1_500_000_000_000_000n, proofs: 2 }],
      fundsAtRisk: {
        total: 1_500_000_000_000_000n,
        channels: [{ ...channel, atRisk: 1_500_000_000_000_000n }],
      },
    }),
    lag: [aPartitionLag(0, 4n)],
    token: MTK,
    now,
  });
  const html = renderOperatorPage(view, aDashboard());

  it('loads scripts and styles from the ledger only, and never reloads itself', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/https?:\/\/|\/\/[a-z]/i);
    expect([...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1])).toEqual([
      'data:,', // no favicon request
      'operator/assets/uplot.min.css',
      'operator/assets/uplot.iife.min.js',
      'operator/assets/operator-page.js',
    ]);
    expect(html).not.toContain('http-equiv="refresh"');
  });

  it('shows the totals in token units with the exact base units alongside', () => {
    expect(field(html, 'accepted-revenue')).toEqual(['1500000000000000', '0.0015 MTK']);
    expect(field(html, 'funds-at-risk')).toEqual(['1500000000000000', '0.0015 MTK']);
    expect(field(html, 'received-on-chain')).toEqual(['0', '0 MTK']);
    expect(html).toContain('<small>1500000000000000</small>');
    expect(html).toContain('data-max-lag="4"');
    expect(html).toContain(`data-channel-id="${channel.channelId}"`);
    expect(html).toContain('data-route="GET /api/fortune"');
  });

  it('notes a cooperative close the receiver signed under the channel state, and nothing otherwise', () => {
    const signed = aChannelRecord({
      channelId: aChannelIdOf('ef'),
      closeSignedBalance: 2_500_000_000_000_000n,
    });
    const page = renderOperatorPage(
      buildOperatorView({ snapshot: anOperatorSnapshot({ channels: [signed] }), lag: [], token: MTK, now }),
      aDashboard(),
    );
    expect(field(page, 'close-signed')).toEqual([
      '2500000000000000',
      'cooperative close signed at 0.0025 MTK',
    ]);
    expect(html).not.toContain('cooperative close signed');
  });

  it('shows revenue over deposit in red only when there is some', () => {
    expect(field(html, 'revenue-over-deposit')).toEqual(['0', '0 MTK']);
    expect(html).not.toContain('class="num warn"');
    const reorged = aChannelRecord({ channelId: aChannelIdOf('aa'), deposit: 5n, balance: 12n });
    const page = renderOperatorPage(
      buildOperatorView({
        snapshot: anOperatorSnapshot({ channels: [reorged], overDeposit: { channels: 1, total: 7n } }),
        lag: [],
        token: MTK,
        now,
      }),
      aDashboard(),
    );
    expect(page).toContain('<span data-field="channels-over-deposit">1</span>');
    expect(page).toContain('class="num warn" data-field="revenue-over-deposit" data-base-units="7"');
    expect(page).toContain('class="num warn" data-field="over-deposit" data-base-units="7"');
  });

  it('drops the channel columns that are empty on every listed channel, so the table fits a desktop', () => {
    const headOf = (page: string) => /<table id="channels"><tr>(.*?)<\/tr>/.exec(page)?.[1] ?? '';
    expect(headOf(html)).not.toContain('Over deposit');
    expect(headOf(html)).not.toContain('Close claimed by sender');
    expect(headOf(html)).toContain('<th>Charged</th>');
    const closing = aChannelRecord({ channelId: aChannelIdOf('ce'), status: 'closing', closeBalance: 10n });
    const withClose = renderOperatorPage(
      buildOperatorView({
        snapshot: anOperatorSnapshot({ channels: [channel, closing] }),
        lag: [],
        token: MTK,
        now,
      }),
      aDashboard(),
    );
    expect(headOf(withClose)).toContain('<th>Close claimed by sender</th>');
    // Every row has a cell per header, the open channel's a dash.
    const rows = withClose.split('<tr data-channel-id=').slice(1);
    expect(rows.map((row) => row.split('</tr>')[0]!.match(/<td/g)?.length)).toEqual([11, 11]);
  });

  it('escapes what came from events', () => {
    const hostile = buildOperatorView({
      snapshot: anOperatorSnapshot({
        revenueByRoute: [{ route: '/x"><script>alert(1)</script>', method: 'GET', amount: 1n, proofs: 1 }],
      }),
      lag: null,
      token: MTK,
      now,
    });
    const page = renderOperatorPage(hostile, aDashboard());
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;');
    expect(page).toContain('unknown: the consumer has not joined');
  });
});
