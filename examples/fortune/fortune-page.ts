import { escapeHtml } from '../http-response';
import type { Fortune } from './fortunes';

/** The fortune cookie as a small self-contained HTML page (inline CSS, no assets to pay for). */
export function renderFortunePage(cookie: Fortune): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fortune cookie #${cookie.number}</title>
<style>
  body { font-family: Georgia, serif; background: #fdf6e3; color: #3b2f1e; display: grid; place-items: center; min-height: 90vh; margin: 0; }
  .cookie { background: #fff; border: 2px dashed #c9a227; border-radius: 1rem; padding: 2rem 3rem; max-width: 32rem; text-align: center; box-shadow: 0 4px 12px rgba(0,0,0,.08); }
  .fortune { font-size: 1.4rem; font-style: italic; }
  .meta { font-size: .85rem; color: #8a7a5c; }
  a { color: #a0522d; }
</style>
</head>
<body>
<main class="cookie">
  <p class="meta">Fortune cookie #${cookie.number}</p>
  <p class="fortune">${escapeHtml(cookie.fortune)}</p>
  <p class="meta">Paid for with a balance proof. <a href="/fortune">Crack another one</a> &middot; <a href="/">all demos</a></p>
</main>
</body>
</html>
`;
}
