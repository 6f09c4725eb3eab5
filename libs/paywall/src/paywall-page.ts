import type { Challenge } from '@microraiden/protocol';
import { PAYWALL_CLIENT_SCRIPT } from './browser/paywall-client-script';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Deposit suggested when opening a channel: enough for ten requests, so a channel is not opened per request.
const SUGGESTED_DEPOSIT_REQUESTS = 10n;

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.4}' +
  'dt{font-weight:600}dd{margin:0 0 .5rem}code{word-break:break-all}' +
  '#microraiden-wallet{border:1px solid #ccc;border-radius:.5rem;padding:1rem;margin-top:1.5rem}' +
  'button{margin:.25rem .5rem .25rem 0}.mr-error{color:#a00}' +
  '#mr-content iframe{width:100%;min-height:20rem;border:1px solid #ccc}#mr-content pre{background:#f4f4f4;padding:1rem}';

/** The wallet panel the inline script drives; hidden until the script runs, so it never shows without JS. */
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
  const deposit = escapeHtml((challenge.price * SUGGESTED_DEPOSIT_REQUESTS).toString());
  return (
    `<section id="microraiden-wallet" hidden${attributes}><h2>Pay with a browser wallet</h2>` +
    '<p id="mr-status" role="status" aria-live="polite"></p>' +
    '<button type="button" id="mr-connect">Connect wallet</button>' +
    '<p id="mr-connected" hidden>Sender: <code id="mr-sender"></code></p>' +
    '<p id="mr-channel" hidden>Channel <code id="mr-channel-id"></code>: paid <code id="mr-balance"></code> ' +
    'of deposit <code id="mr-deposit-total"></code></p>' +
    `<button type="button" id="mr-pay" hidden>Pay ${escapeHtml(challenge.price.toString())} and view</button>` +
    '<p id="mr-open-form" hidden><label>Deposit for a new channel (token base units) ' +
    `<input id="mr-deposit" inputmode="numeric" value="${deposit}"></label> ` +
    '<button type="button" id="mr-open">Open channel and pay</button></p>' +
    '<div id="mr-content"></div></section>'
  );
}

/**
 * The 402 page for browsers: what the resource costs and where to open a channel, readable without scripts,
 * plus an inline script that lets an EIP-1193 wallet open (or reuse) a channel, sign each BalanceProof with
 * eth_signTypedData_v4 and show the paid content (docs/protocol.md 8.5).
 */
export function renderPaywallPage(challenge: Challenge, resourceUrl: string): string {
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
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>402 Payment Required</title>' +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head>` +
    `<body><h1>Payment required</h1><p>${escapeHtml(resourceUrl)} is paid per request over a microraiden ` +
    'payment channel. Open a channel to the receiver below with the token below, then send a balance proof ' +
    'in the RDN-* request headers (see docs/protocol.md).</p>' +
    `<dl>${list}</dl>${walletPanel(challenge)}<script>${PAYWALL_CLIENT_SCRIPT}</script></body></html>`
  );
}
