import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GAS_OPERATIONS, type GasMeasurements, type GasOperation } from './measure-gas';

/** The committed gas snapshot the snapshot test compares against. */
export const GAS_SNAPSHOT_FILE = path.resolve(__dirname, '../gas-snapshot.json');

/** Measured gas may exceed the snapshot by this many percent before the test fails. */
export const GAS_TOLERANCE_PERCENT = 2n;

/** The committed snapshot: gasUsed per operation. */
export function readGasSnapshot(): Partial<Record<GasOperation, number>> {
  return JSON.parse(readFileSync(GAS_SNAPSHOT_FILE, 'utf8')) as Partial<Record<GasOperation, number>>;
}

/** Write `measured` as the new snapshot, in table order. */
export function writeGasSnapshot(measured: GasMeasurements): void {
  const ordered = Object.fromEntries(
    (Object.keys(GAS_OPERATIONS) as GasOperation[]).map((operation) => [
      operation,
      Number(measured[operation]),
    ]),
  );
  writeFileSync(GAS_SNAPSHOT_FILE, `${JSON.stringify(ordered, null, 2)}\n`);
}

/** Operations whose measured gas is above the snapshot plus the tolerance (or missing from it). */
export function gasRegressions(
  measured: GasMeasurements,
  snapshot: Partial<Record<GasOperation, number>>,
): { operation: GasOperation; measured: bigint; snapshot: number | undefined }[] {
  return (Object.keys(GAS_OPERATIONS) as GasOperation[])
    .filter((operation) => {
      const allowed = snapshot[operation];
      return (
        allowed === undefined || measured[operation] * 100n > BigInt(allowed) * (100n + GAS_TOLERANCE_PERCENT)
      );
    })
    .map((operation) => ({ operation, measured: measured[operation], snapshot: snapshot[operation] }));
}
