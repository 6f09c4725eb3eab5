import type { AppliedMigration, Migration, MigrationSet } from './migration';
import { MigrationError } from './migration-error';

/**
 * The migrations of `set` still to run on a database that recorded `applied`, in order. Pure: the runner does the
 * I/O. Versions the database has and the code does not (a newer release ran, then this one was rolled back to)
 * are left alone, so an older replica still starts next to a newer schema; a recorded version whose name differs
 * from the code's is refused.
 */
export function planMigrations(set: MigrationSet, applied: readonly AppliedMigration[]): Migration[] {
  assertOrdered(set);
  const recorded = new Map(applied.map((m) => [m.version, m.name]));
  const pending: Migration[] = [];
  for (const migration of set.migrations) {
    const name = recorded.get(migration.version);
    if (name === undefined) pending.push(migration);
    else if (name !== migration.name)
      throw new MigrationError(
        'MIGRATION_CONFLICT',
        `${set.store} migration ${migration.version} is recorded as "${name}" but declared as "${migration.name}"`,
        { store: set.store, version: migration.version },
      );
  }
  return pending;
}

/** Throws MIGRATION_INVALID unless versions are positive integers, strictly increasing, and the store is named. */
export function assertOrdered(set: MigrationSet): void {
  if (set.store.trim() === '')
    throw new MigrationError('MIGRATION_INVALID', 'a migration set needs a store name');
  let previous = 0;
  for (const { version } of set.migrations) {
    if (!Number.isSafeInteger(version) || version <= previous)
      throw new MigrationError(
        'MIGRATION_INVALID',
        `${set.store} migration versions must be positive integers in increasing order (${version} after ${previous})`,
        { store: set.store, version },
      );
    previous = version;
  }
}
