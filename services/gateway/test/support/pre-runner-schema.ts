// The DDL the gateway ran before libs/persistence's migration runner (commit 92ae56c), verbatim with the default
// outbox table: what a database created by the old code holds, for the baseline test.

export const PRE_RUNNER_GATEWAY_DDL = `
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

export const PRE_RUNNER_OUTBOX_DDL = `
    SELECT pg_advisory_xact_lock(hashtext('microraiden.outbox.migrate'));
    DO $migration$ BEGIN
    IF to_regclass('outbox_published_at_idx') IS NOT NULL THEN RETURN; END IF;
    CREATE TABLE IF NOT EXISTS "outbox" (
      id bigserial PRIMARY KEY,
      topic text NOT NULL,
      key text,
      payload bytea NOT NULL,
      headers jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz
    );
    CREATE INDEX IF NOT EXISTS outbox_unpublished_idx ON "outbox" (id) WHERE published_at IS NULL;
    CREATE INDEX IF NOT EXISTS outbox_published_at_idx ON "outbox" (published_at) WHERE published_at IS NOT NULL;
    END $migration$;
  `;
