import { NotReadyError, type DependencyCheck } from '@microraiden/service-kit';
import type { LedgerRuntime } from './ledger-runtime';

/**
 * Readiness of the projection: the consumer has joined its group, sought its partitions to the stored offsets, and
 * no owned partition lags by more than `maxLag` messages (the query API would otherwise answer stale data).
 */
export function projectionLagCheck(runtime: LedgerRuntime, maxLag: number): DependencyCheck {
  return {
    name: 'projection',
    async check() {
      const projection = runtime.currentProjection();
      if (!projection?.joined())
        throw new NotReadyError('the projection consumer has not joined its group yet');
      const lags = await projection.lag();
      const worst = lags.reduce((max, l) => (l.lag > max ? l.lag : max), 0n);
      if (worst > BigInt(maxLag))
        throw new NotReadyError(
          `projection lags ${worst} messages behind, more than READY_MAX_LAG=${maxLag}`,
        );
      return { partitions: lags.length, maxLag: Number(worst) };
    },
  };
}
