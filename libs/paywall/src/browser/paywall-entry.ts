/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Entry of the page's script (bundled by libs/paywall/scripts/build-paywall-script.ts): starts the paywall
// when the page has its wallet panel.
import { PaywallApp } from './paywall-app';

const root = typeof document === 'undefined' ? null : document.getElementById('microraiden-wallet');
if (root) void new PaywallApp(document, window, root).start();
