import { clipReason, type ChainProbe } from '../core/chain-guard';

/**
 * The production probe: GET `<watcherUrl>/health/ready`. 200 is ready; any other answer is not ready with the
 * status and the failing checks' messages from the health body; a network error is not ready with its cause.
 */
export function chainWatcherProbe(watcherUrl: string): ChainProbe {
  const url = `${watcherUrl.replace(/\/+$/, '')}/health/ready`;
  return async (signal) => {
    let res: Response;
    try {
      res = await fetch(url, { signal, headers: { accept: 'application/json' } });
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause;
      const why = cause?.message ?? (err as Error)?.message ?? String(err);
      return { ready: false, reason: clipReason(`the chain-watcher is unreachable (${why})`) };
    }
    const text = await res.text().catch(() => '');
    if (res.status === 200) return { ready: true };
    const failing = failingChecksOf(text);
    return {
      ready: false,
      reason: clipReason(`the chain-watcher answered ${res.status}${failing === '' ? '' : `: ${failing}`}`),
    };
  };
}

// Terminus' not-ready body: `{ status: 'error', error: { <check>: { status: 'down', message } }, ... }`.
function failingChecksOf(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return '';
  }
  const error = (parsed as { error?: unknown } | null)?.error;
  if (error === null || typeof error !== 'object') return '';
  const { message } = error as { message?: unknown };
  if (typeof message === 'string') return message;
  return Object.entries(error as Record<string, unknown>)
    .map(([check, state]) => {
      const reason = (state as { message?: unknown } | null)?.message;
      return typeof reason === 'string' ? `${check}: ${reason}` : check;
    })
    .join('; ');
}
