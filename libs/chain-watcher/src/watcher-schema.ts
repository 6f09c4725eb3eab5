import { outboxMigrations } from '@microraiden/kafka';
import { runMigrations, type MigrationSet } from '@microraiden/persistence';
import type { Pool } from 'pg';

/** The watcher's outbox of channel events (libs/kafka's outbox table, relayed by its OutboxRelay). */
export const WATCHER_OUTBOX_TABLE = 'cw_outbox';

const CREATE_TABLES = `
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
`;

// WITHDRAW_THRESHOLD: the withdrawn amount last seen (or the balance last considered), and a withdrawal in flight.
const ADD_WITHDRAWALS = `
  ALTER TABLE cw_balance_proofs ADD COLUMN IF NOT EXISTS withdrawn numeric(78, 0) NOT NULL DEFAULT 0;
  ALTER TABLE cw_balance_proofs ADD COLUMN IF NOT EXISTS withdraw_tx jsonb;
`;

/**
 * The chain-watcher's tables as a libs/persistence migration store. Versions 1 and 2 are what the hand-written
 * migration created before the runner (tables, then the withdrawal columns added later), each recognised in a
 * database that already has it.
 */
export const WATCHER_MIGRATIONS: MigrationSet = {
  store: 'chain-watcher',
  migrations: [
    {
      version: 1,
      name: 'create checkpoint, blocks, published events, balance proofs, dispute tasks',
      up: CREATE_TABLES,
      presentWhen: `SELECT to_regclass('cw_checkpoint') IS NOT NULL AND to_regclass('cw_blocks') IS NOT NULL
        AND to_regclass('cw_published_events_block') IS NOT NULL AND to_regclass('cw_balance_proofs') IS NOT NULL
        AND to_regclass('cw_dispute_tasks_open') IS NOT NULL AS present`,
    },
    {
      version: 2,
      name: 'add withdrawn and withdraw_tx to balance proofs',
      up: ADD_WITHDRAWALS,
      presentWhen: `SELECT count(*) = 2 AS present FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'cw_balance_proofs'
          AND column_name IN ('withdrawn', 'withdraw_tx')`,
    },
  ],
};

/**
 * Brings the chain-watcher's tables and its outbox to their latest versions (libs/persistence's runMigrations:
 * one transaction under the migration lock, idempotent, safe from replicas starting together).
 */
export async function migrateWatcherSchema(pool: Pool): Promise<void> {
  await runMigrations(pool, [WATCHER_MIGRATIONS, outboxMigrations({ table: WATCHER_OUTBOX_TABLE })]);
}
