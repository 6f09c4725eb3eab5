/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// After a payment the content replaces the paywall: the paid HTML becomes the page itself (its links lead
// to the next paid page, which the budget pays), anything else is shown as text. A small bar keeps the
// running total in view with a way to stop.

/** What the bar says, and what its button does. */
export interface BudgetBarText {
  readonly paid: string;
  /** The running total of the budget; empty without one. */
  readonly total: string;
  readonly onStop: () => void;
}

const BAR_STYLE =
  'position:fixed;left:0;right:0;bottom:0;z-index:2147483647;display:flex;gap:1rem;align-items:center;' +
  'padding:.5rem 1rem;font:14px/1.4 system-ui,sans-serif;background:#1f2937;color:#f9fafb;' +
  'box-shadow:0 -2px 6px rgba(0,0,0,.2)';
const BUTTON_STYLE =
  'margin-left:auto;font:inherit;padding:.25rem .75rem;border:0;border-radius:.25rem;background:#f9fafb;' +
  'color:#1f2937;cursor:pointer';

/** Adds the budget bar to the (new) document. */
export function addBudgetBar(doc: Document, text: BudgetBarText): HTMLElement {
  const bar = doc.createElement('div');
  bar.id = 'mr-budget-bar';
  bar.setAttribute('role', 'status');
  bar.setAttribute('style', BAR_STYLE);
  const label = doc.createElement('span');
  label.id = 'mr-budget-text';
  label.textContent = `microraiden: ${text.paid}.${text.total ? ` ${text.total}.` : ''}`;
  bar.appendChild(label);
  if (text.total) {
    const stop = doc.createElement('button');
    stop.type = 'button';
    stop.id = 'mr-budget-stop';
    stop.textContent = 'Stop paying';
    stop.setAttribute('style', BUTTON_STYLE);
    stop.addEventListener('click', () => {
      text.onStop();
      label.textContent = 'microraiden: stopped. Paid pages show the paywall again.';
      stop.remove();
    });
    bar.appendChild(stop);
  }
  (doc.body ?? doc.documentElement).appendChild(bar);
  // Room for the bar, so it never hides the end of the content.
  if (doc.body) doc.body.style.paddingBottom = '3.5rem';
  return bar;
}

/**
 * Replaces the page with the paid response: HTML is written as the document (same origin, same URL: it is
 * the page the visitor asked for, so its scripts and links work as the site meant), other types as text.
 */
export async function showPaidContent(doc: Document, res: Response, bar: BudgetBarText): Promise<void> {
  const type = (res.headers.get('Content-Type') ?? '').toLowerCase();
  let text = await res.text();
  if (type.startsWith('text/html')) {
    doc.open();
    doc.write(text);
    doc.close();
  } else {
    if (type.includes('json')) {
      try {
        text = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        /* show it as sent */
      }
    }
    const pre = doc.createElement('pre');
    pre.id = 'mr-content';
    pre.textContent = text;
    pre.setAttribute('style', 'white-space:pre-wrap;word-break:break-word;margin:1rem');
    // The paywall's own styles go with it; the text gets the whole page.
    for (const style of Array.from(doc.head.querySelectorAll('style'))) style.remove();
    doc.body.replaceChildren(pre);
    doc.title = doc.location.pathname;
  }
  addBudgetBar(doc, bar);
}
