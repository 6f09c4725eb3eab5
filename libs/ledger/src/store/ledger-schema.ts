import type { MigrationSet } from '@microraiden/persistence';

// Versions 1 and 2 are what the TypeORM migrations of the same names created (kept verbatim: a database they built
// must equal one built here). Their names are TypeORM's, so the history reads the same in both version tables.

const CREATE_LEDGER = `
      CREATE TABLE ledger_channels (
        channel_id      text PRIMARY KEY,
        status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'open', 'closing', 'settled')),
        sender          text,
        receiver        text,
        chain_id        integer,
        channel_manager text,
        deposit         numeric(78,0) NOT NULL DEFAULT 0,
        withdrawn       numeric(78,0) NOT NULL DEFAULT 0,
        balance         numeric(78,0) NOT NULL DEFAULT 0,
        signature       text,
        proof_count     integer NOT NULL DEFAULT 0,
        last_proof_at   timestamptz,
        close_balance   numeric(78,0),
        settle_at       numeric(78,0),
        settled_at      timestamptz,
        settled_balance numeric(78,0),
        receiver_paid   numeric(78,0),
        sender_refund   numeric(78,0),
        created_block   bigint,
        chain_facts     jsonb NOT NULL DEFAULT '[]',
        proof_state     jsonb,
        updated_at      timestamptz NOT NULL DEFAULT now()
      );
CREATE INDEX ledger_channels_sender ON ledger_channels (sender, channel_id);
CREATE INDEX ledger_channels_receiver ON ledger_channels (receiver, channel_id);
CREATE INDEX ledger_channels_status ON ledger_channels (status, channel_id);
      CREATE TABLE ledger_revenue_by_route (
        route  text NOT NULL,
        method text NOT NULL,
        amount numeric(78,0) NOT NULL,
        proofs integer NOT NULL,
        PRIMARY KEY (route, method)
      );
      CREATE TABLE ledger_revenue_by_sender (
        sender text PRIMARY KEY,
        amount numeric(78,0) NOT NULL,
        proofs integer NOT NULL
      );
      CREATE TABLE ledger_revenue_by_day (
        day    date PRIMARY KEY,
        amount numeric(78,0) NOT NULL,
        proofs integer NOT NULL
      );
      CREATE TABLE ledger_audit (
        topic       text NOT NULL,
        partition   integer NOT NULL,
        "offset"    bigint NOT NULL,
        event_id    text NOT NULL,
        generation  integer NOT NULL,
        type        text NOT NULL,
        channel_id  text NOT NULL,
        outcome     text NOT NULL CHECK (outcome IN ('applied', 'ignored')),
        reason      text,
        detail      text,
        amount      numeric(78,0),
        balance     numeric(78,0),
        occurred_at timestamptz NOT NULL,
        applied_at  timestamptz NOT NULL,
        PRIMARY KEY (topic, partition, "offset")
      );
CREATE UNIQUE INDEX ledger_audit_applied_once ON ledger_audit (event_id, generation) WHERE outcome = 'applied';
CREATE INDEX ledger_audit_channel ON ledger_audit (channel_id, occurred_at);
      CREATE TABLE ledger_offsets (
        topic       text NOT NULL,
        partition   integer NOT NULL,
        next_offset bigint NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (topic, partition)
      )`;

/** The ledger's schema as a store of libs/persistence's migration runner (`microraiden_migrations`, store `ledger`). */
export const LEDGER_MIGRATIONS: MigrationSet = {
  store: 'ledger',
  migrations: [
    {
      version: 1,
      name: 'CreateLedger1764190000000',
      up: CREATE_LEDGER,
      // Baseline: a database TypeORM migrated (its `ledger_migrations` table stays, unused) has the last table.
      presentWhen: `SELECT to_regclass('ledger_offsets') IS NOT NULL AS present`,
    },
    {
      version: 2,
      name: 'AddCloseSigned1764290000000',
      // Nullable without defaults: adding them rewrites no rows, and existing channels were never signed for.
      up: `
        ALTER TABLE ledger_channels
          ADD COLUMN close_signed_balance numeric(78,0),
          ADD COLUMN close_signed_at      timestamptz,
          ADD COLUMN close_signed         jsonb`,
      presentWhen: `SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                      AND table_name = 'ledger_channels' AND column_name = 'close_signed') AS present`,
    },
    {
      version: 3,
      name: 'AddChargedBalance1764900000000',
      // Every channel projected so far had only fixed prices, so it was charged exactly its accepted balance.
      // The proof_state JSON keeps no charged balance for them either; the code reads a missing one as `balance`.
      up: `
        ALTER TABLE ledger_channels ADD COLUMN charged_balance numeric(78,0) NOT NULL DEFAULT 0;
        UPDATE ledger_channels SET charged_balance = balance WHERE balance <> 0`,
    },
  ],
};
