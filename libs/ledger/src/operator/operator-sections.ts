import type { DashboardView } from './dashboard-view';
import { agoText, amountCell, escape, shortHex, timeText } from './operator-html';
import type { OperatorChannelRow, OperatorView } from './operator-view';
import type { DisplayAmount } from './token-amount';
import type { WatcherStatus } from './watcher-status';

/** Under the state: the receiver committed to a cooperative close (the chain may not show it yet). */
function closeSignedNote(balance: DisplayAmount | null, symbol: string): string {
  if (balance === null) return '';
  return (
    `<br><small data-field="close-signed" data-base-units="${escape(balance.base)}">` +
    `cooperative close signed at ${escape(balance.units)} ${escape(symbol)}</small>`
  );
}

/** The totals row that says how much accepted revenue no deposit covers any more (red when any). */
function overDepositRow(view: OperatorView, symbol: string): string {
  const warn = view.channelsOverDeposit > 0;
  return (
    `<tr><th${warn ? ' class="warn"' : ''}>Revenue over deposit<br><small>accepted above the confirmed deposit (a reorged top-up or creation) on ` +
    `<span data-field="channels-over-deposit">${view.channelsOverDeposit}</span> unsettled channels: the chain cannot pay it</small></th>` +
    `${amountCell('revenue-over-deposit', view.revenueOverDeposit, symbol, warn)}</tr>`
  );
}

function lagCell(view: OperatorView): string {
  const { lag } = view;
  const text = lag.joined
    ? `${escape(lag.total)} total, ${escape(lag.max)} worst partition`
    : 'unknown: the consumer has not joined its group (or Kafka does not answer)';
  return `<td class="num${lag.joined ? '' : ' warn'}" data-field="projection-lag" data-max-lag="${escape(lag.max)}">${text}</td>`;
}

function totals(view: OperatorView, dash: DashboardView): string {
  const sym = view.token.symbol;
  const statuses = (['open', 'closing', 'settled', 'pending'] as const)
    .map((s) => `${view.channelsByStatus[s]} ${s}`)
    .join(', ');
  const due = dash.disputesDue;
  return [
    `<tr><th>Accepted revenue<br><small>sum of charges, ${view.acceptedProofs} proofs</small></th>${amountCell('accepted-revenue', view.acceptedRevenue, sym)}</tr>`,
    `<tr><th>Received on chain<br><small>withdrawn + paid at settlement</small></th>${amountCell('received-on-chain', view.receivedOnChain, sym)}</tr>`,
    `<tr><th>Funds at risk<br><small>accepted, not yet withdrawn or settled</small></th>${amountCell('funds-at-risk', view.fundsAtRisk, sym)}</tr>`,
    overDepositRow(view, sym),
    `<tr><th>Channels</th><td data-field="channel-count">${view.channelCount} (${statuses})</td></tr>`,
    `<tr><th>Disputes due<br><small>closes claiming less than the accepted balance, in their challenge period</small></th><td class="num${due > 0 ? ' warn' : ''}" data-field="disputes-due">${due}</td></tr>`,
    `<tr><th>Projection lag<br><small>messages not yet projected</small></th>${lagCell(view)}</tr>`,
  ].join('\n');
}

const WATCHER_HEADLINE: Record<WatcherStatus['state'], string> = {
  ready: 'ready: following the chain and able to dispute',
  'not-ready': 'NOT READY: closes may go undisputed',
  unreachable: 'UNREACHABLE: closes may go undisputed',
  unknown: 'unknown: CHAIN_WATCHER_URL is not set on the ledger',
};

function watcher(status: WatcherStatus): string {
  const warn = status.state === 'not-ready' || status.state === 'unreachable';
  const reason = status.state === 'unreachable' ? ` (${escape(status.reason)})` : '';
  const head = `<p class="${warn ? 'warn' : status.state === 'ready' ? 'ok' : ''}" data-field="watcher-state" data-state="${status.state}"><b>${WATCHER_HEADLINE[status.state]}</b>${reason}</p>`;
  if (status.state !== 'ready' && status.state !== 'not-ready') return head;
  const rows = status.checks
    .map(
      (c) =>
        `<tr><td>${escape(c.name)}</td><td class="${c.up ? 'ok' : 'warn'}">${c.up ? 'up' : 'down'}</td><td>${escape(c.detail)}</td></tr>`,
    )
    .join('\n');
  return `${head}<div class="scroll"><table><tr><th>Check</th><th>State</th><th>Facts</th></tr>\n${rows}\n</table></div>`;
}

const VERDICT_TEXT: Record<string, string> = {
  fair: 'fair close',
  'dispute-due': 'dispute due',
  disputed: 'disputed: receiver paid',
  lost: 'lost: settled at the claim',
};

function disputes(dash: DashboardView, sym: string, now: Date): string {
  const rows = dash.closes
    .map(
      (c) =>
        `<tr data-close-id="${escape(c.channelId)}"><td>${shortHex(c.channelId)}</td><td>${shortHex(c.sender)}</td>` +
        `<td class="${c.verdict === 'dispute-due' || c.verdict === 'lost' ? 'warn' : c.verdict === 'disputed' ? 'ok' : ''}" data-field="verdict">${VERDICT_TEXT[c.verdict]}</td>` +
        amountCell('claimed', c.claimed, sym) +
        amountCell('accepted', c.accepted, sym) +
        amountCell('settled', c.settled, sym) +
        `<td>${c.status === 'settled' ? 'settled' : timeText(c.settleAt, now)}</td></tr>`,
    )
    .join('\n');
  return (
    `<p><small>${dash.closes.length} most recent of ${dash.closeCount} uncooperative closes.</small></p>` +
    `<div class="scroll"><table id="disputes"><tr><th>Channel</th><th>Sender</th><th>Verdict</th><th>Sender claimed</th><th>Receiver's proof</th><th>Settled at</th><th>Dispute deadline</th></tr>\n` +
    `${rows || '<tr><td colspan="7">no uncooperative closes</td></tr>'}\n</table></div>`
  );
}

function senders(dash: DashboardView, sym: string): string {
  const rows = dash.senders
    .map(
      (s) =>
        `<tr data-sender="${escape(s.sender)}"><td>${shortHex(s.sender)}</td>${amountCell('sender-revenue', s.amount, sym)}<td class="num" data-field="sender-proofs">${s.proofs}</td></tr>`,
    )
    .join('\n');
  return (
    `<p><small>${dash.senders.length} largest of ${dash.senderCount} senders.</small></p>` +
    `<div class="scroll"><table id="senders"><tr><th>Sender</th><th>Revenue</th><th>Proofs</th></tr>\n` +
    `${rows || '<tr><td colspan="3">no accepted proofs yet</td></tr>'}\n</table></div>`
  );
}

function routes(view: OperatorView): string {
  const sym = view.token.symbol;
  const rows = view.revenueByRoute
    .map(
      (r) =>
        `<tr data-route="${escape(`${r.method} ${r.route}`)}"><td>${escape(r.method)}</td><td><code>${escape(r.route)}</code></td>${amountCell('route-revenue', r.amount, sym)}<td class="num" data-field="route-proofs">${r.proofs}</td></tr>`,
    )
    .join('\n');
  return (
    `<div class="scroll"><table id="routes"><tr><th>Method</th><th>Route</th><th>Revenue</th><th>Proofs</th></tr>\n` +
    `${rows || '<tr><td colspan="4">no accepted proofs yet</td></tr>'}\n</table></div>`
  );
}

interface ChannelColumn {
  readonly head: string;
  readonly cell: (c: OperatorChannelRow, symbol: string, now: Date) => string;
  /** Shown only when some listed channel has a value: a column empty on every row only widens the table. */
  readonly shownWhen?: (c: OperatorChannelRow) => boolean;
}

const CHANNEL_COLUMNS: readonly ChannelColumn[] = [
  { head: 'Channel', cell: (c) => `<td>${shortHex(c.channelId)}</td>` },
  { head: 'Sender', cell: (c) => `<td>${shortHex(c.sender)}</td>` },
  {
    head: 'State',
    cell: (c, sym) =>
      `<td class="${escape(c.status)}" data-field="status">${escape(c.status)}${closeSignedNote(c.closeSignedBalance, sym)}</td>`,
  },
  { head: 'Deposit', cell: (c, sym) => amountCell('deposit', c.deposit, sym) },
  { head: 'Latest accepted balance', cell: (c, sym) => amountCell('balance', c.balance, sym) },
  { head: 'Charged', cell: (c, sym) => amountCell('charged', c.chargedBalance, sym) },
  { head: 'Withdrawn', cell: (c, sym) => amountCell('withdrawn', c.withdrawn, sym) },
  { head: 'At risk', cell: (c, sym) => amountCell('at-risk', c.atRisk, sym) },
  {
    head: 'Over deposit',
    cell: (c, sym) => amountCell('over-deposit', c.overDeposit, sym, c.overDeposit.base !== '0'),
    shownWhen: (c) => c.overDeposit.base !== '0',
  },
  {
    head: 'Close claimed by sender',
    cell: (c, sym) => amountCell('close-balance', c.closeBalance, sym),
    shownWhen: (c) => c.closeBalance !== null,
  },
  { head: 'Proofs', cell: (c) => `<td class="num" data-field="proof-count">${c.proofCount}</td>` },
  {
    head: 'Last proof<br>last activity',
    cell: (c, _sym, now) => `<td>${agoText(c.lastProofAt, now)}<br>${agoText(c.lastActivityAt, now)}</td>`,
  },
];

function channels(view: OperatorView, now: Date): string {
  const sym = view.token.symbol;
  const columns = CHANNEL_COLUMNS.filter((col) => !col.shownWhen || view.channels.some(col.shownWhen));
  const rows = view.channels
    .map(
      (c) =>
        `<tr data-channel-id="${escape(c.channelId)}">${columns.map((col) => col.cell(c, sym, now)).join('')}</tr>`,
    )
    .join('\n');
  const head = columns.map((col) => `<th>${col.head}</th>`).join('');
  return (
    `<p><small>${view.channelsShown} most recently active of ${view.channelCount}.</small></p>` +
    `<div class="scroll"><table id="channels"><tr>${head}</tr>\n` +
    `${rows || `<tr><td colspan="${columns.length}">no channels yet</td></tr>`}\n</table></div>`
  );
}

function lag(view: OperatorView): string {
  const rows = view.lag.partitions
    .map(
      (p) =>
        `<tr><td><code>${escape(p.topic)}</code></td><td class="num">${p.partition}</td><td class="num">${escape(p.position)}</td><td class="num">${escape(p.highWatermark)}</td><td class="num">${escape(p.lag)}</td></tr>`,
    )
    .join('\n');
  return (
    `<div class="scroll"><table id="lag"><tr><th>Topic</th><th>Partition</th><th>Position</th><th>High watermark</th><th>Lag</th></tr>\n` +
    `${rows || '<tr><td colspan="5">no partitions owned</td></tr>'}\n</table></div>`
  );
}

/** The page's sections by element id: the page is built from them, and the JSON refresh replaces each in place. */
export function renderOperatorSections(view: OperatorView, dash: DashboardView): Record<string, string> {
  const now = new Date(view.generatedAt);
  const sym = view.token.symbol;
  return {
    'section-generated': timeText(view.generatedAt, now, true),
    'section-totals': `<table id="totals">\n${totals(view, dash)}\n</table>`,
    'section-watcher': watcher(dash.watcher),
    'section-disputes': disputes(dash, sym, now),
    'section-senders': senders(dash, sym),
    'section-routes': routes(view),
    'section-channels': channels(view, now),
    'section-lag': lag(view),
  };
}
