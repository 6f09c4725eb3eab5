import { runMigrations, type MigrationSet } from '@microraiden/persistence';
import type { Pool } from 'pg';
import type { OutboxOptions } from './outbox';
import { DEFAULT_OUTBOX_TABLE, outboxTable } from './outbox-table';

/**
 * The migrations of one outbox table, as a store of libs/persistence's runner named `outbox:<table>` (several
 * outboxes can share a database). Version 1 is the table the hand-written migration created before the runner;
 * a database that has its last index is recorded as already at version 1.
 */
export function outboxMigrations(options: OutboxOptions = {}): MigrationSet {
  const { table, indexPrefix } = outboxTable(options.table);
  const schema = options.table?.includes('.') ? `${options.table.split('.')[0]}.` : '';
  return {
    store: `outbox:${options.table ?? DEFAULT_OUTBOX_TABLE}`,
    migrations: [
      {
        version: 1,
        name: 'create outbox',
        up: `
          CREATE TABLE IF NOT EXISTS ${table} (
            id bigserial PRIMARY KEY,
            topic text NOT NULL,
            key text,
            payload bytea NOT NULL,
            headers jsonb NOT NULL DEFAULT '{}'::jsonb,
            created_at timestamptz NOT NULL DEFAULT now(),
            published_at timestamptz
          );
          CREATE INDEX IF NOT EXISTS ${indexPrefix}_unpublished_idx ON ${table} (id) WHERE published_at IS NULL;
          CREATE INDEX IF NOT EXISTS ${indexPrefix}_published_at_idx ON ${table} (published_at)
            WHERE published_at IS NOT NULL;`,
        // (Tables created before relays took turns keep an unused `<table>_unpublished_key_idx`; `DROP INDEX
        // CONCURRENTLY` removes it without a pause.)
        presentWhen: `SELECT to_regclass('${schema}${indexPrefix}_published_at_idx') IS NOT NULL AS present`,
      },
    ],
  };
}

/**
 * Create the outbox table and its indexes if missing: {@link outboxMigrations} through libs/persistence's
 * `runMigrations` (idempotent, serialised across replicas). A service with tables of its own passes both sets
 * to one `runMigrations` call instead.
 */
export async function migrateOutbox(pool: Pool, options: OutboxOptions = {}): Promise<void> {
  await runMigrations(pool, outboxMigrations(options));
}
