import type { Challenge } from '@microraiden/protocol';
import { PAYWALL_CLIENT_SCRIPT } from '../browser/paywall-client-script';
import { formatTokenAmountWithBase as formatAmountWithBase, type TokenUnits } from '@microraiden/protocol';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1f2937}' +
  'h1{margin-bottom:.25rem}.mr-price{font-size:1.25rem;margin:.5rem 0 1rem}' +
  'dt{font-weight:600}dd{margin:0 0 .5rem}code{word-break:break-all}details{margin:1rem 0;color:#4b5563}' +
  '#microraiden-wallet{border:1px solid #d1d5db;border-radius:.5rem;padding:1rem 1.25rem;margin-top:1rem}' +
  '#microraiden-wallet h2{margin-top:0;font-size:1.1rem}label{display:block;margin:.5rem 0}' +
  'input{font:inherit;width:9rem;padding:.2rem .4rem;margin:0 .4rem}' +
  'button{font:inherit;margin:.5rem .5rem .25rem 0;padding:.4rem .9rem;border-radius:.3rem;border:1px solid #1f2937;' +
  'background:#1f2937;color:#fff;cursor:pointer}button.mr-secondary{background:#fff;color:#1f2937}' +
  '.mr-error{color:#a00}[aria-busy=true] button{opacity:.6}[hidden]{display:none!important}' +
  '#mr-session-note{display:block;color:#4b5563}';

/** The wallet panel the script drives; hidden until the script runs, so it never shows without JS. */
function walletPanel(challenge: Challenge): string {
  const data = {
    price: challenge.price.toString(),
    'chain-id': challenge.chainId.toString(),
    token: challenge.token,
    receiver: challenge.receiver,
    'channel-manager': challenge.channelManager,
    'gateway-path': challenge.gatewayPath,
  };
  const attributes = Object.entries(data)
    .map(([name, value]) => ` data-${name}="${escapeHtml(value)}"`)
    .join('');
  return (
    `<section id="microraiden-wallet" hidden${attributes}><h2>Pay with a browser wallet</h2>` +
    '<p id="mr-status" role="status" aria-live="polite"></p>' +
    '<button type="button" id="mr-connect">Connect wallet</button>' +
    '<p id="mr-connected" hidden>Paying from <code id="mr-sender"></code></p>' +
    '<p id="mr-channel" hidden>Channel <code id="mr-channel-id"></code>: <span id="mr-balance"></span> paid ' +
    'of its <span id="mr-deposit-total"></span> deposit</p>' +
    '<div id="mr-form" hidden>' +
    '<label id="mr-deposit-field">Deposit into a new channel <input id="mr-deposit" inputmode="decimal">' +
    '<span id="mr-deposit-unit"></span><small id="mr-session-note" hidden>A key kept in this browser signs ' +
    "the channel's payments, so pages need no wallet signature; it can spend at most the deposit.</small></label>" +
    '<label>Budget: pay up to <input id="mr-budget" inputmode="decimal"><span id="mr-budget-unit"></span> ' +
    'for pages of this site in this tab, without asking again</label>' +
    '<button type="button" id="mr-pay">Pay and view</button>' +
    '<button type="button" id="mr-stop" class="mr-secondary" hidden>Stop paying</button></div></section>'
  );
}

/**
 * The 402 page for browsers (docs/protocol.md 8.5): what the resource costs and the challenge's facts,
 * readable without scripts (the price in token units when `token` is known), plus the page's script (libs/paywall/src/browser, built into
 * PAYWALL_CLIENT_SCRIPT) that lets an EIP-1193 wallet open or reuse a channel, set a budget once, pay
 * and replace this page with the content.
 */
export function renderPaywallPage(challenge: Challenge, resourceUrl: string, token?: TokenUnits): string {
  // In token units when the gateway read the token at start-up, so a visitor without a wallet (or
  // JavaScript) reads them too; the script rewrites the base units otherwise.
  const price = escapeHtml(
    token ? formatAmountWithBase(challenge.price, token) : `${challenge.price} token base units`,
  );
  const rows: Array<[string, string]> = [
    ['Price (token base units)', challenge.price.toString()],
    ['Token', challenge.token],
    ['Receiver', challenge.receiver],
    ['Channel manager', challenge.channelManager],
    ['Chain id', challenge.chainId.toString()],
    ['Gateway API', challenge.gatewayPath],
  ];
  const list = rows
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd><code>${escapeHtml(v)}</code></dd>`)
    .join('');
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Payment required</title>' +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head>` +
    '<body><h1>Payment required</h1>' +
    `<p class="mr-price">This page costs <strong data-mr-amount="price">${price}</strong>.</p>` +
    `<p>${escapeHtml(resourceUrl)} is paid per request over a microraiden payment channel. Open a channel to ` +
    'the receiver below with the token below, then send a balance proof in the RDN-* request headers ' +
    '(docs/protocol.md), or pay with a browser wallet.</p>' +
    `${walletPanel(challenge)}<details><summary>Payment details</summary><dl>${list}</dl></details>` +
    `<script>${PAYWALL_CLIENT_SCRIPT}</script></body></html>`
  );
}
