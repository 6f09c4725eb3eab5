import type { PoolClient } from 'pg';

/**
 * One step of a store's schema. Versions are positive integers, strictly increasing in declaration order; once a
 * version has run on some database its `name` and `up` never change (add a new version instead).
 */
export interface Migration {
  readonly version: number;
  /** Short description, recorded beside the version; a different name for a recorded version is refused. */
  readonly name: string;
  /** SQL (one or several statements) or a function given the migration's transaction client. */
  readonly up: string | ((client: PoolClient) => Promise<void>);
  /**
   * Baseline for databases created before the runner: SQL answering one row `{ present: boolean }`, true when the
   * database already holds what `up` creates. Asked only while the store has no recorded version; leading
   * migrations found present are recorded (as baselined) without running, the first absent one and all after it
   * run.
   */
  readonly presentWhen?: string;
}

/** The ordered migrations of one store: a set of tables owned by one library (`gateway`, `outbox:cw_outbox`). */
export interface MigrationSet {
  /** Recorded in the version table's `store` column; unique per database. */
  readonly store: string;
  readonly migrations: readonly Migration[];
}

/** A version recorded in the database for a store. */
export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
}
