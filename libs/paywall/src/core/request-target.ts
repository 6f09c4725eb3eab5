/** A request target split for route matching and forwarding. */
export interface RequestTarget {
  /** Path without the query string, exactly as received. */
  readonly path: string;
  /** Query string without `?` ('' when none). */
  readonly query: string;
}

// Dot segments, empty segments, backslashes and encoded separators let a path match one route here and another
// after the upstream normalises it (`/free/../paid`): such paths are refused instead of guessed at.
const NON_CANONICAL = /(^|\/)\.{1,2}(\/|$)|\/\/|\\|%2e|%2f|%5c|%00/i;

/** Splits `url` (origin-form request target) into path and query; undefined when the path is not canonical. */
export function parseRequestTarget(url: string): RequestTarget | undefined {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  if (path.length === 0 || path.charCodeAt(0) !== 47 || NON_CANONICAL.test(path)) return undefined;
  return { path, query };
}
