import { relativeTime, utcMinute } from './human-time';
import type { DisplayAmount } from './token-amount';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Every value reaching the page passes through here: channel ids, addresses and routes come from Kafka events. */
export const escape = (value: string | number | null) =>
  value === null ? '—' : String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** An amount cell: token units first, base units below; `data-base-units` carries the exact value for tools. */
export function amountCell(
  field: string,
  amount: DisplayAmount | null,
  symbol: string,
  warn = false,
): string {
  const cls = warn ? 'num warn' : 'num';
  if (amount === null) return `<td class="${cls}" data-field="${field}">—</td>`;
  return (
    `<td class="${cls}" data-field="${field}" data-base-units="${escape(amount.base)}">` +
    `${escape(amount.units)} ${escape(symbol)}<br><small>${escape(amount.base)}</small></td>`
  );
}

/** A time as people read it (UTC minute, and how long ago), the exact instant in `datetime` and the tooltip. */
export function timeText(iso: string | null, now: Date, inline = false): string {
  if (iso === null) return '—';
  return (
    `<time datetime="${escape(iso)}" title="${escape(iso)}">${escape(utcMinute(iso))}</time>` +
    `${inline ? ' ' : '<br>'}<small>(${escape(relativeTime(iso, now))})</small>`
  );
}

/** A time as how long ago only, the UTC instant in the tooltip: for wide tables, where two full dates do not fit. */
export function agoText(iso: string | null, now: Date): string {
  if (iso === null) return '—';
  const utc = `${utcMinute(iso)} (${iso})`;
  return `<time datetime="${escape(iso)}" title="${escape(utc)}">${escape(relativeTime(iso, now))}</time>`;
}

/** A 0x-id or address shortened to its ends (`0x1234…cdef`); the whole value in the tooltip, selectable on copy. */
export function shortHex(value: string | null): string {
  if (value === null) return '—';
  const short = value.length > 14 ? `${value.slice(0, 8)}…${value.slice(-6)}` : value;
  return `<code title="${escape(value)}">${escape(short)}</code>`;
}
