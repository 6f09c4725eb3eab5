// Builders for the operator dashboard's unit tests.
import { buildDashboardView, lastDays, type DashboardView } from '../operator/dashboard-view';
import type { DashboardData } from '../operator/dashboard-reads';
import type { WatcherStatus } from '../operator/watcher-status';

/** A dashboard over `data` (nothing by default) with the watcher `unknown` unless given, for 3 days to `now`. */
export function aDashboard(
  data: Partial<DashboardData> = {},
  watcher: WatcherStatus = { state: 'unknown' },
  now = new Date('2026-02-03T04:05:06.000Z'),
): DashboardView {
  return buildDashboardView({
    data: { days: [], senders: [], senderCount: 0, closes: [], closeCount: 0, ...data },
    watcher,
    token: { symbol: 'MTK', decimals: 18 },
    days: lastDays(now, 3),
  });
}
