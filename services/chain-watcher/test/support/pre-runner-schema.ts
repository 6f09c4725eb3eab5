// The DDL the chain-watcher ran before libs/persistence's migration runner (commit 92ae56c), verbatim (the
// advisory lock it took first left out): what a database created by the old code holds, for the baseline test.

export const PRE_RUNNER_WATCHER_DDL = `
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
    `;

export const PRE_RUNNER_OUTBOX_DDL = `
    SELECT pg_advisory_xact_lock(hashtext('microraiden.outbox.migrate'));
    DO $migration$ BEGIN
    IF to_regclass('cw_outbox_published_at_idx') IS NOT NULL THEN RETURN; END IF;
    CREATE TABLE IF NOT EXISTS "cw_outbox" (
      id bigserial PRIMARY KEY,
      topic text NOT NULL,
      key text,
      payload bytea NOT NULL,
      headers jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz
    );
    CREATE INDEX IF NOT EXISTS cw_outbox_unpublished_idx ON "cw_outbox" (id) WHERE published_at IS NULL;
    CREATE INDEX IF NOT EXISTS cw_outbox_published_at_idx ON "cw_outbox" (published_at) WHERE published_at IS NOT NULL;
    END $migration$;
  `;
