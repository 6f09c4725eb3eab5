import type { Challenge } from '@microraiden/protocol';
import { describe, expect, it } from 'vitest';
import { PAYWALL_CLIENT_SCRIPT } from '../browser/paywall-client-script';
import { renderPaywallPage } from './paywall-page';

const challenge: Challenge = {
  gatewayPath: '/api/1',
  receiver: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  channelManager: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  token: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  price: 1_000_000_000_000_000n,
  chainId: 31337n,
} as Challenge;

describe('renderPaywallPage', () => {
  const page = renderPaywallPage(challenge, 'http://localhost/api/weather?q=<b>"x"</b>');

  it('keeps the script-free facts readable without a wallet', () => {
    expect(page).toContain('<h1>Payment required</h1>');
    // The script rewrites the marked price in token units (symbol and decimals from the token).
    expect(page).toContain(
      '<p class="mr-price">This page costs <strong data-mr-amount="price">1000000000000000 token base units</strong>.</p>',
    );
    expect(page).toContain('<dt>Price (token base units)</dt><dd><code>1000000000000000</code></dd>');
    expect(page).toContain(`<dd><code>${challenge.receiver}</code></dd>`);
    expect(page).toContain('<dd><code>31337</code></dd>');
  });

  it('shows the price in token units when the gateway knows the token, base units beside', () => {
    const withToken = renderPaywallPage(challenge, 'http://localhost/a', { symbol: 'MTK', decimals: 18 });
    expect(withToken).toContain(
      '<strong data-mr-amount="price">0.001 MTK (1000000000000000 base units)</strong>',
    );
  });

  it('escapes what it renders', () => {
    expect(page).toContain('http://localhost/api/weather?q=&#60;b&#62;&#34;x&#34;&#60;/b&#62;');
    expect(page).not.toContain('<b>');
  });

  it('hands the challenge to the wallet panel in data attributes, hidden until the script runs', () => {
    expect(page).toMatch(/<section id="microraiden-wallet" hidden /);
    for (const [name, value] of [
      ['price', '1000000000000000'],
      ['chain-id', '31337'],
      ['token', challenge.token],
      ['receiver', challenge.receiver],
      ['channel-manager', challenge.channelManager],
      ['gateway-path', '/api/1'],
    ]) {
      expect(page).toContain(` data-${name}="${value}"`);
    }
    // Amounts the visitor types are in token units: the script fills them in once the token told its
    // decimals, so the page carries no base-unit default.
    expect(page).toContain('<input id="mr-deposit" inputmode="decimal">');
    expect(page).toContain('<input id="mr-budget" inputmode="decimal">');
  });

  it('inlines the client script once, so the gateway serves everything itself', () => {
    expect(page.split('<script>').length).toBe(2);
    expect(page).toContain(`<script>${PAYWALL_CLIENT_SCRIPT}</script></body></html>`);
  });
});
