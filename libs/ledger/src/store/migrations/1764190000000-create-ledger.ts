import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The ledger's projection schema: channels, revenue, audit trail and consumed offsets. */
export class CreateLedger1764190000000 implements MigrationInterface {
  name = 'CreateLedger1764190000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
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
      )`);
    await runner.query(`CREATE INDEX ledger_channels_sender ON ledger_channels (sender, channel_id)`);
    await runner.query(`CREATE INDEX ledger_channels_receiver ON ledger_channels (receiver, channel_id)`);
    await runner.query(`CREATE INDEX ledger_channels_status ON ledger_channels (status, channel_id)`);
    await runner.query(`
      CREATE TABLE ledger_revenue_by_route (
        route  text NOT NULL,
        method text NOT NULL,
        amount numeric(78,0) NOT NULL,
        proofs integer NOT NULL,
        PRIMARY KEY (route, method)
      )`);
    await runner.query(`
      CREATE TABLE ledger_revenue_by_sender (
        sender text PRIMARY KEY,
        amount numeric(78,0) NOT NULL,
        proofs integer NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE ledger_revenue_by_day (
        day    date PRIMARY KEY,
        amount numeric(78,0) NOT NULL,
        proofs integer NOT NULL
      )`);
    await runner.query(`
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
      )`);
    // Second guard behind the stored offsets: an event (or one re-application of a re-mined log) is applied once.
    await runner.query(
      `CREATE UNIQUE INDEX ledger_audit_applied_once ON ledger_audit (event_id, generation) WHERE outcome = 'applied'`,
    );
    await runner.query(`CREATE INDEX ledger_audit_channel ON ledger_audit (channel_id, occurred_at)`);
    await runner.query(`
      CREATE TABLE ledger_offsets (
        topic       text NOT NULL,
        partition   integer NOT NULL,
        next_offset bigint NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (topic, partition)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'ledger_offsets',
      'ledger_audit',
      'ledger_revenue_by_day',
      'ledger_revenue_by_sender',
      'ledger_revenue_by_route',
      'ledger_channels',
    ])
      await runner.query(`DROP TABLE IF EXISTS ${table}`);
  }
}
