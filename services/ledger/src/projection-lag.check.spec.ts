import type { PartitionLag } from '@microraiden/kafka';
import type { LedgerProjection } from '@microraiden/ledger';
import { describe, expect, it } from 'vitest';
import type { LedgerRuntime } from './ledger-runtime';
import { projectionLagCheck } from './projection-lag.check';

const lag = (partition: number, behind: bigint): PartitionLag => ({
  topic: 't',
  partition,
  highWatermark: 100n,
  position: 100n - behind,
  lag: behind,
});

function runtimeWith(projection: Partial<LedgerProjection> | undefined): LedgerRuntime {
  return { currentProjection: () => projection as LedgerProjection | undefined } as unknown as LedgerRuntime;
}

describe('projectionLagCheck', () => {
  it('is down before the projection started or joined its group', async () => {
    await expect(projectionLagCheck(runtimeWith(undefined), 10).check()).rejects.toThrow(/not joined/);
    const notJoined = runtimeWith({ joined: () => false, lag: async () => [] });
    await expect(projectionLagCheck(notJoined, 10).check()).rejects.toThrow(/not joined/);
  });

  it('is up while the worst partition lags by at most the bound, down above it', async () => {
    const within = runtimeWith({ joined: () => true, lag: async () => [lag(0, 3n), lag(1, 10n)] });
    await expect(projectionLagCheck(within, 10).check()).resolves.toEqual({ partitions: 2, maxLag: 10 });
    const beyond = runtimeWith({ joined: () => true, lag: async () => [lag(0, 3n), lag(1, 11n)] });
    await expect(projectionLagCheck(beyond, 10).check()).rejects.toThrow(
      /lags 11 messages.*READY_MAX_LAG=10/,
    );
  });
});
