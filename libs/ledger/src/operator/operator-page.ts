import type { DashboardView } from './dashboard-view';
import { escape } from './operator-html';
import { renderOperatorSections } from './operator-sections';
import type { OperatorView } from './operator-view';

/** Where the page fetches its JSON refresh, relative to /operator. */
export const OPERATOR_VIEW_PATH = 'api/1/operator/view';

/** What GET api/1/operator/view answers: the sections' HTML by element id and the charts' series. */
export interface OperatorPageUpdate {
  generatedAt: string;
  sections: Record<string, string>;
  charts: DashboardView['charts'];
}

/** The page's JSON refresh. */
export function operatorPageUpdate(view: OperatorView, dash: DashboardView): OperatorPageUpdate {
  return { generatedAt: view.generatedAt, sections: renderOperatorSections(view, dash), charts: dash.charts };
}

// Fits a 1280 px screen and a 390 px phone: wide tables scroll inside their own box, never the page.
const STYLE = `*{box-sizing:border-box}
body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;padding:1rem;max-width:1400px;color:#222}
h1{font-size:1.3rem;margin:.2rem 0}h2{font-size:1.05rem;margin:1.4rem 0 .4rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,520px),1fr));gap:0 1.5rem}
.grid>section{min-width:0}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}small{color:#777}td.num small{font-size:11px}#channels th,#channels td{padding:.3rem .35rem}
code{font-size:12px;white-space:nowrap}time{white-space:nowrap}.closing{color:#b36b00}.settled{color:#777}.pending{color:#555}.warn{color:#b00}.ok{color:#2a7a2a}
.chart{width:100%;min-height:200px}
@media (max-width:600px){body{padding:.5rem;font-size:13px}th,td{padding:.2rem .35rem}}`;

/** Inline JSON for a script data block: `<` escaped so no value can close the element. */
const jsonBlock = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/**
 * The operator page: server-rendered sections (readable without scripts), uPlot charts drawn by the ledger's own
 * script, and a JSON refresh every `refreshSeconds` that swaps the sections in place (no reload). Every script and
 * style comes from the ledger itself.
 */
export function renderOperatorPage(
  view: OperatorView,
  dash: DashboardView,
  options: { refreshSeconds?: number } = {},
): string {
  const refresh = options.refreshSeconds ?? 10;
  const sym = escape(view.token.symbol);
  const s = renderOperatorSections(view, dash);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>microraiden ledger — operator</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="operator/assets/uplot.min.css"><style>${STYLE}</style></head>
<body data-view-url="${OPERATOR_VIEW_PATH}" data-refresh-seconds="${refresh}" data-symbol="${sym}">
<h1>microraiden ledger — operator view</h1>
<p>Updated <span id="section-generated">${s['section-generated']}</span>; amounts in ${sym} (${view.token.decimals} decimals), base units below. <span id="refresh-state">Updates every ${refresh} s without reloading.</span></p>
<div class="grid">
<section><h2>Totals</h2><div id="section-totals">${s['section-totals']}</div></section>
<section><h2>Chain-watcher</h2><div id="section-watcher">${s['section-watcher']}</div></section>
<section><h2>Revenue per day (${sym}, UTC days)</h2><div id="chart-revenue" class="chart"></div></section>
<section><h2>Paid requests per day</h2><div id="chart-requests" class="chart"></div></section>
</div>
<section><h2>Closes and disputes</h2><div id="section-disputes">${s['section-disputes']}</div></section>
<div class="grid">
<section><h2>Revenue by sender</h2><div id="section-senders">${s['section-senders']}</div></section>
<section><h2>Revenue by route</h2><div id="section-routes">${s['section-routes']}</div></section>
</div>
<section><h2>Channels</h2><div id="section-channels">${s['section-channels']}</div></section>
<section><h2>Projection lag by partition</h2><div id="section-lag">${s['section-lag']}</div></section>
<script type="application/json" id="chart-data">${jsonBlock(dash.charts)}</script>
<script src="operator/assets/uplot.iife.min.js"></script>
<script src="operator/assets/operator-page.js"></script>
</body></html>
`;
}
