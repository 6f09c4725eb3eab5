/** One readiness check of the chain-watcher, as its public /health/ready answer states it. */
export interface WatcherCheck {
  readonly name: string;
  readonly up: boolean;
  /** The check's facts or reason (`blockNumber 1234`, `receiver holds ... ETH`): public by construction. */
  readonly detail: string;
}

/** What the operator page says about the chain-watcher. */
export type WatcherStatus =
  /** CHAIN_WATCHER_URL is not set: the ledger cannot tell. */
  | { readonly state: 'unknown' }
  /** The probe got no answer (`unreachable`) or no parsable one (`bad-answer`). */
  | { readonly state: 'unreachable'; readonly reason: 'unreachable' | 'timeout' | 'bad-answer' }
  | { readonly state: 'ready' | 'not-ready'; readonly checks: readonly WatcherCheck[] };

const MAX_DETAIL = 160;

function detailOf(facts: Record<string, unknown>): string {
  const message = facts.message;
  const text =
    typeof message === 'string'
      ? message
      : Object.entries(facts)
          .filter(
            ([key, value]) => key !== 'status' && ['string', 'number', 'boolean'].includes(typeof value),
          )
          .map(([key, value]) => `${key} ${String(value)}`)
          .join(', ');
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}

/**
 * The watcher's state from its /health/ready answer (terminus' `{status, details}`): ready only on HTTP 200. The
 * page shows check names, states and the public facts of that answer, never where the watcher lives.
 */
export function watcherStatusOf(httpStatus: number, body: unknown): WatcherStatus {
  const details = (body as { details?: unknown } | null)?.details;
  if (typeof details !== 'object' || details === null) return { state: 'unreachable', reason: 'bad-answer' };
  const checks = Object.entries(details as Record<string, unknown>).map(([name, raw]) => {
    const facts = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    return { name, up: facts.status === 'up', detail: detailOf(facts) };
  });
  return { state: httpStatus === 200 ? 'ready' : 'not-ready', checks };
}
