import { migrateOutbox } from '@microraiden/kafka';
import { withTransaction } from '@microraiden/persistence';
import type { Pool } from 'pg';

/** The watcher's outbox of channel events (libs/kafka's outbox table, relayed by its OutboxRelay). */
export const WATCHER_OUTBOX_TABLE = 'cw_outbox';

// One advisory lock key so replicas starting together do not race on CREATE TABLE.
const MIGRATION_LOCK = 7_203_114_002;

/**
 * Create the chain-watcher's tables, its outbox included, if they do not exist (idempotent, safe to run from
 * several replicas).
 */
export async function migrateWatcherSchema(pool: Pool): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS cw_checkpoint (
        scope        text PRIMARY KEY,
        block_number bigint NOT NULL,
        block_hash   text NOT NULL,
        updated_at   timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE IF NOT EXISTS cw_blocks (
        scope        text NOT NULL,
        block_number bigint NOT NULL,
        block_hash   text NOT NULL,
        PRIMARY KEY (scope, block_number)
      );
      CREATE TABLE IF NOT EXISTS cw_published_events (
        id           text PRIMARY KEY,
        scope        text NOT NULL,
        type         text NOT NULL,
        channel_id   text NOT NULL,
        block_number bigint NOT NULL,
        block_hash   text NOT NULL,
        payload      text NOT NULL,
        retracted    boolean NOT NULL DEFAULT false,
        published_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS cw_published_events_block
        ON cw_published_events (scope, block_number) WHERE NOT retracted;
      CREATE TABLE IF NOT EXISTS cw_balance_proofs (
        channel_id text PRIMARY KEY,
        balance    numeric(78, 0) NOT NULL,
        signature  text NOT NULL,
        event_id   text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      -- WITHDRAW_THRESHOLD: the withdrawn amount last seen (or the balance last considered), and a withdrawal in flight.
      ALTER TABLE cw_balance_proofs ADD COLUMN IF NOT EXISTS withdrawn numeric(78, 0) NOT NULL DEFAULT 0;
      ALTER TABLE cw_balance_proofs ADD COLUMN IF NOT EXISTS withdraw_tx jsonb;
      CREATE TABLE IF NOT EXISTS cw_dispute_tasks (
        channel_id        text PRIMARY KEY,
        close_event_id    text NOT NULL,
        sender            text NOT NULL,
        close_balance     numeric(78, 0) NOT NULL,
        settle_at         bigint NOT NULL,
        status            text NOT NULL,
        submitted_balance numeric(78, 0),
        action            text,
        tx                jsonb,
        detail            text,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS cw_dispute_tasks_open ON cw_dispute_tasks (settle_at)
        WHERE status IN ('pending', 'submitted');
    `);
  });
  await migrateOutbox(pool, { table: WATCHER_OUTBOX_TABLE });
}
