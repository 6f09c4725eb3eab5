import type { DisplayAmount } from './token-amount';
import type { OperatorView } from './operator-view';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

// Every value reaching the page passes through here: channel ids, addresses and routes come from Kafka events.
const escape = (value: string | number | null) =>
  value === null ? '—' : String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** An amount cell: token units first, base units below; `data-base-units` carries the exact value for tools. */
function amountCell(field: string, amount: DisplayAmount | null, symbol: string, warn = false): string {
  const cls = warn ? 'num warn' : 'num';
  if (amount === null) return `<td class="${cls}" data-field="${field}">—</td>`;
  return (
    `<td class="${cls}" data-field="${field}" data-base-units="${escape(amount.base)}">` +
    `${escape(amount.units)} ${escape(symbol)}<br><small>${escape(amount.base)}</small></td>`
  );
}

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

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222}
h1{font-size:1.3rem}h2{font-size:1.05rem;margin-top:1.8rem}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}small{color:#777}
code{font-size:12px}.closing{color:#b36b00}.settled{color:#777}.pending{color:#555}.warn{color:#b00}`;

/** Render the operator view as one self-contained HTML page: no scripts, no external assets, refreshes itself. */
export function renderOperatorPage(view: OperatorView, options: { refreshSeconds?: number } = {}): string {
  const sym = view.token.symbol;
  const refresh = options.refreshSeconds ?? 10;
  const summary = [
    `<tr><th>Accepted revenue<br><small>sum of accepted balance increments, ${view.acceptedProofs} proofs</small></th>${amountCell('accepted-revenue', view.acceptedRevenue, sym)}</tr>`,
    `<tr><th>Received on chain<br><small>withdrawn + paid at settlement</small></th>${amountCell('received-on-chain', view.receivedOnChain, sym)}</tr>`,
    `<tr><th>Funds at risk<br><small>accepted, not yet withdrawn or settled</small></th>${amountCell('funds-at-risk', view.fundsAtRisk, sym)}</tr>`,
    overDepositRow(view, sym),
    `<tr><th>Channels</th><td data-field="channel-count">${view.channelCount} (${(['open', 'closing', 'settled', 'pending'] as const).map((s) => `${view.channelsByStatus[s]} ${s}`).join(', ')})</td></tr>`,
    `<tr><th>Projection lag<br><small>messages not yet projected</small></th><td class="num${view.lag.joined ? '' : ' warn'}" data-field="projection-lag" data-max-lag="${escape(view.lag.max)}">${view.lag.joined ? `${escape(view.lag.total)} total, ${escape(view.lag.max)} worst partition` : 'unknown: the consumer has not joined its group (or Kafka does not answer)'}</td></tr>`,
  ].join('\n');
  const routes = view.revenueByRoute
    .map(
      (r) =>
        `<tr data-route="${escape(`${r.method} ${r.route}`)}"><td>${escape(r.method)}</td><td><code>${escape(r.route)}</code></td>${amountCell('route-revenue', r.amount, sym)}<td class="num" data-field="route-proofs">${r.proofs}</td></tr>`,
    )
    .join('\n');
  const channels = view.channels
    .map(
      (c) =>
        `<tr data-channel-id="${escape(c.channelId)}"><td><code>${escape(c.channelId)}</code></td><td><code>${escape(c.sender)}</code></td>` +
        `<td class="${escape(c.status)}" data-field="status">${escape(c.status)}${closeSignedNote(c.closeSignedBalance, sym)}</td>` +
        amountCell('deposit', c.deposit, sym) +
        amountCell('balance', c.balance, sym) +
        amountCell('withdrawn', c.withdrawn, sym) +
        amountCell('at-risk', c.atRisk, sym) +
        amountCell('over-deposit', c.overDeposit, sym, c.overDeposit.base !== '0') +
        amountCell('close-balance', c.closeBalance, sym) +
        `<td class="num" data-field="proof-count">${c.proofCount}</td><td>${escape(c.lastProofAt)}</td><td>${escape(c.lastActivityAt)}</td></tr>`,
    )
    .join('\n');
  const partitions = view.lag.partitions
    .map(
      (p) =>
        `<tr><td><code>${escape(p.topic)}</code></td><td class="num">${p.partition}</td><td class="num">${escape(p.position)}</td><td class="num">${escape(p.highWatermark)}</td><td class="num">${escape(p.lag)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${refresh}">
<title>microraiden ledger — operator</title><style>${STYLE}</style></head>
<body>
<h1>microraiden ledger — operator view</h1>
<p>Generated <time data-field="generated-at">${escape(view.generatedAt)}</time>; amounts in ${escape(sym)} (${view.token.decimals} decimals), base units below. Refreshes every ${refresh} s.</p>
<h2>Totals</h2>
<table id="totals">
${summary}
</table>
<h2>Revenue by route</h2>
<table id="routes"><tr><th>Method</th><th>Route</th><th>Revenue</th><th>Proofs</th></tr>
${routes || '<tr><td colspan="4">no accepted proofs yet</td></tr>'}
</table>
<h2>Channels (${view.channelsShown} most recently active of ${view.channelCount})</h2>
<table id="channels"><tr><th>Channel</th><th>Sender</th><th>State</th><th>Deposit</th><th>Latest accepted balance</th><th>Withdrawn</th><th>At risk</th><th>Over deposit</th><th>Close claimed by sender</th><th>Proofs</th><th>Last proof</th><th>Last activity</th></tr>
${channels || '<tr><td colspan="12">no channels yet</td></tr>'}
</table>
<h2>Projection lag by partition</h2>
<table id="lag"><tr><th>Topic</th><th>Partition</th><th>Position</th><th>High watermark</th><th>Lag</th></tr>
${partitions || '<tr><td colspan="5">no partitions owned</td></tr>'}
</table>
</body></html>
`;
}
