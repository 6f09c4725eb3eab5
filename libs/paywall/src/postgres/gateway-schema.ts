import { outboxMigrations } from '@microraiden/kafka';
import { runMigrations, type MigrationSet } from '@microraiden/persistence';
import type { Pool } from 'pg';

/** Tables of the gateway fleet, shared by every replica (one database). */
export const GATEWAY_TABLES = {
  channels: 'gateway_channels',
  channelEvents: 'gateway_channel_events',
} as const;

// Amounts are uint256: numeric(78,0) holds every value exactly; they travel as text and become bigint.
const CREATE_CHANNELS = `
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
`;

// Metered prices (docs/protocol.md 7.2): C, the sum of what was charged, beside S (accepted_balance, what was signed).
// Every channel so far was charged exactly what it signed, so C starts equal to S; C <= S always (a charge never
// exceeds what the sender authorised).
const ADD_CHARGED_BALANCE = `
  ALTER TABLE gateway_channels ADD COLUMN charged_balance numeric(78, 0);
  UPDATE gateway_channels SET charged_balance = accepted_balance;
  ALTER TABLE gateway_channels
    ALTER COLUMN charged_balance SET DEFAULT 0,
    ALTER COLUMN charged_balance SET NOT NULL,
    ADD CONSTRAINT gateway_channels_charged_balance_check
      CHECK (charged_balance >= 0 AND charged_balance <= accepted_balance);
`;

// Balance signers (docs/protocol.md 3): the session key a `channel.signer-set` named, whose proofs count as the
// sender's. Null for every existing channel (none had one) and for channels opened without one.
const ADD_SIGNER = `
  ALTER TABLE gateway_channels ADD COLUMN signer text;
`;

/**
 * The gateway's own tables as a libs/persistence migration store. Version 1 is what the hand-written migration
 * created before the runner (it ran only while its last index was missing), so a database with that index is
 * recorded as already at version 1. Version 2 adds the charged balance of metered prices, version 3 the balance signer.
 */
export const GATEWAY_MIGRATIONS: MigrationSet = {
  store: 'gateway',
  migrations: [
    {
      version: 1,
      name: 'create channels and channel events',
      up: CREATE_CHANNELS,
      presentWhen: `SELECT to_regclass('gateway_channel_events_channel_idx') IS NOT NULL AS present`,
    },
    { version: 2, name: 'add charged balance', up: ADD_CHARGED_BALANCE },
    { version: 3, name: 'add balance signer', up: ADD_SIGNER },
  ],
};

/**
 * Brings the gateway's tables and its outbox to their latest versions (libs/persistence's runMigrations: one
 * transaction under the migration lock, idempotent, safe from replicas starting together, no DDL once migrated).
 */
export async function migrateGatewaySchema(
  pool: Pool,
  options: { outboxTable?: string } = {},
): Promise<void> {
  const outbox = outboxMigrations(options.outboxTable === undefined ? {} : { table: options.outboxTable });
  await runMigrations(pool, [GATEWAY_MIGRATIONS, outbox]);
}
