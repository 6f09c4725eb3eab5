import { watcherStatusOf, type WatcherStatus } from '@microraiden/ledger';

const TIMEOUT_MS = 2_000;
const CACHE_MS = 5_000;

/**
 * The chain-watcher's readiness as the operator page shows it: GET <CHAIN_WATCHER_URL>/health/ready, server-side,
 * at most once per 5 s however many pages are open. The URL never reaches the page (it is an internal address);
 * only the watcher's public readiness facts do.
 */
export class WatcherProbe {
  private cached: { at: number; status: Promise<WatcherStatus> } | undefined;

  constructor(private readonly baseUrl: string | undefined) {}

  status(): Promise<WatcherStatus> {
    if (this.baseUrl === undefined) return Promise.resolve({ state: 'unknown' });
    const now = Date.now();
    if (this.cached === undefined || now - this.cached.at > CACHE_MS)
      this.cached = { at: now, status: this.probe(this.baseUrl) };
    return this.cached.status;
  }

  private async probe(baseUrl: string): Promise<WatcherStatus> {
    try {
      const res = await fetch(`${baseUrl.replace(/\/+$/, '')}/health/ready`, {
        signal: AbortSignal.timeout(TIMEOUT_MS),
        headers: { accept: 'application/json' },
      });
      return watcherStatusOf(res.status, await res.json().catch(() => null));
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      return { state: 'unreachable', reason: timedOut ? 'timeout' : 'unreachable' };
    }
  }
}
