import type { Challenge } from '@microraiden/protocol';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The 402 page for browsers: what the resource costs and where to open a channel. Static and script-free on
 * purpose; the wallet-enabled page that signs proofs in the browser is a later issue.
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
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>402 Payment Required</title></head>' +
    `<body><h1>Payment required</h1><p>${escapeHtml(resourceUrl)} is paid per request over a microraiden ` +
    'payment channel. Open a channel to the receiver below with the token below, then send a balance proof ' +
    'in the RDN-* request headers (see docs/protocol.md).</p>' +
    `<dl>${list}</dl></body></html>`
  );
}
