/**
 * The one key derivation for Postgres advisory locks: a lock is named `microraiden.<owner>.<purpose>` and keyed
 * `hashtextextended(name, 0)` (a signed 64-bit integer computed by the server), so every lock in a shared database
 * is found by its name in `pg_locks` (`objid` is the key's low 32 bits) and two owners cannot collide by picking
 * the same magic number. Pass the name as a parameter: `SELECT pg_advisory_xact_lock(${advisoryLockKeySql('$1')})`.
 */
export function advisoryLockKeySql(nameExpression: string): string {
  return `hashtextextended(${nameExpression}, 0)`;
}

/** The lock every migration run holds for its transaction (see runMigrations). */
export const MIGRATION_LOCK_NAME = 'microraiden.persistence.migrate';
