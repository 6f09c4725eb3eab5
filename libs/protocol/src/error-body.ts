import type { ErrorDetails } from '@microraiden/errors';
import type { ProtocolError } from './protocol-error';

/** The JSON body of every error response. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details: ErrorDetails };
}

/** The two renderings of an error body. */
export type ErrorFormat = 'json' | 'html';

/** The JSON error body for `error`. */
export function errorBody(error: ProtocolError): ErrorBody {
  return { error: { code: error.code, message: error.message, details: error.details } };
}

// Longer Accept headers are not from a browser we want to serve HTML to; do not spend time on them.
const MAX_ACCEPT_LENGTH = 2048;

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

function parseAccept(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of accept.split(',')) {
    const [mediaRange, ...params] = part.split(';');
    const [type, subtype] = (mediaRange ?? '').trim().toLowerCase().split('/');
    if (!type || !subtype) continue;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=').map((s) => s.trim());
      if (key?.toLowerCase() !== 'q' || value === undefined) continue;
      const parsed = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(value) ? Number(value) : 0;
      q = parsed;
    }
    ranges.push({ type, subtype, q });
  }
  return ranges;
}

// RFC 9110 §12.5.1: the most specific matching range decides a media type's quality.
function qualityOf(ranges: readonly MediaRange[], type: string, subtype: string): number {
  let best = -1;
  let bestSpecificity = -1;
  for (const r of ranges) {
    const specificity =
      r.type === type && r.subtype === subtype
        ? 2
        : r.type === type && r.subtype === '*'
          ? 1
          : r.type === '*'
            ? 0
            : -1;
    if (specificity > bestSpecificity) {
      bestSpecificity = specificity;
      best = r.q;
    }
  }
  return best < 0 ? 0 : best;
}

/**
 * Chooses the error rendering from an Accept header: HTML only when the client prefers text/html over
 * application/json (browsers do); JSON otherwise, including when Accept is absent, a bare wildcard, or garbage.
 */
export function negotiateErrorFormat(accept: string | readonly string[] | undefined | null): ErrorFormat {
  const text = Array.isArray(accept) ? accept.join(',') : accept;
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_ACCEPT_LENGTH) return 'json';
  const ranges = parseAccept(text);
  const html = qualityOf(ranges, 'text', 'html');
  const json = qualityOf(ranges, 'application', 'json');
  return html > json ? 'html' : 'json';
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A minimal self-contained HTML page for `error` (no scripts, no external resources). */
export function renderErrorHtml(error: ProtocolError): string {
  const details = Object.entries(error.details)
    .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(String(value))}</dd>`)
    .join('');
  const title = `${error.httpStatus} ${escapeHtml(error.code)}`;
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>' +
    title +
    '</title></head><body><h1>' +
    title +
    '</h1><p>' +
    escapeHtml(error.message) +
    '</p>' +
    (details === '' ? '' : `<dl>${details}</dl>`) +
    '</body></html>'
  );
}

/** Status, content type and body for `error`, rendered for `accept`. */
export function renderError(
  error: ProtocolError,
  accept: string | readonly string[] | undefined | null,
): { status: number; contentType: string; body: string } {
  return negotiateErrorFormat(accept) === 'html'
    ? { status: error.httpStatus, contentType: 'text/html; charset=utf-8', body: renderErrorHtml(error) }
    : {
        status: error.httpStatus,
        contentType: 'application/json; charset=utf-8',
        body: JSON.stringify(errorBody(error)),
      };
}
