import { migrateOutbox, type SqlExecutor } from '@microraiden/kafka';

/** Tables of the gateway fleet, shared by every replica (one database). */
export const GATEWAY_TABLES = {
  channels: 'gateway_channels',
  channelEvents: 'gateway_channel_events',
} as const;

// Amounts are uint256: numeric(78,0) holds every value exactly; they travel as text and become bigint.
// The DDL runs only while its last object is missing: even `CREATE INDEX IF NOT EXISTS` takes a share lock on
// its table first, and a replica starting next to a busy one would deadlock with its projector and acceptances.
const MIGRATION = `
  SELECT pg_advisory_xact_lock(hashtext('microraiden.gateway.migrate'));
  DO $migration$ BEGIN
  IF to_regclass('gateway_channel_events_channel_idx') IS NOT NULL THEN RETURN; END IF;
  CREATE TABLE IF NOT EXISTS gateway_channels (
    channel_id text PRIMARY KEY CHECK (channel_id ~ '^0x[0-9a-f]{64}$'),
    sender text NOT NULL,
    receiver text NOT NULL,
    deposit numeric(78, 0) NOT NULL DEFAULT 0 CHECK (deposit >= 0),
    withdrawn numeric(78, 0) NOT NULL DEFAULT 0 CHECK (withdrawn >= 0),
    state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closing', 'settled')),
    confirmed boolean NOT NULL DEFAULT false,
    settle_at numeric(20, 0),
    accepted_balance numeric(78, 0) NOT NULL DEFAULT 0 CHECK (accepted_balance >= 0),
    last_signature text,
    paid_requests bigint NOT NULL DEFAULT 0,
    close_signed_balance numeric(78, 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX IF NOT EXISTS gateway_channels_sender_idx ON gateway_channels (sender, channel_id);
  CREATE INDEX IF NOT EXISTS gateway_channels_state_idx ON gateway_channels (state, channel_id);
  CREATE TABLE IF NOT EXISTS gateway_channel_events (
    event_id text PRIMARY KEY,
    channel_id text NOT NULL,
    type text NOT NULL,
    block_number bigint NOT NULL,
    log_index integer NOT NULL,
    payload bytea NOT NULL,
    applied boolean NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX IF NOT EXISTS gateway_channel_events_channel_idx
    ON gateway_channel_events (channel_id) WHERE applied;
  END $migration$;
`;

/**
 * Creates the gateway's tables and the outbox if missing. Idempotent; replicas starting together serialise on an
 * advisory lock (one statement list, so one implicit transaction even through a pool).
 */
export async function migrateGatewaySchema(
  db: SqlExecutor,
  options: { outboxTable?: string } = {},
): Promise<void> {
  await db.query(MIGRATION);
  await migrateOutbox(db, options.outboxTable === undefined ? {} : { table: options.outboxTable });
}
