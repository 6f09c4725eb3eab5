import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The receiver's cooperative-close signature per channel (`balance-proof.close-signed`): view columns and state. */
export class AddCloseSigned1764290000000 implements MigrationInterface {
  name = 'AddCloseSigned1764290000000';

  async up(runner: QueryRunner): Promise<void> {
    // Nullable without defaults: adding them rewrites no rows, and existing channels were never signed for.
    await runner.query(`
      ALTER TABLE ledger_channels
        ADD COLUMN close_signed_balance numeric(78,0),
        ADD COLUMN close_signed_at      timestamptz,
        ADD COLUMN close_signed         jsonb`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE ledger_channels
        DROP COLUMN IF EXISTS close_signed,
        DROP COLUMN IF EXISTS close_signed_at,
        DROP COLUMN IF EXISTS close_signed_balance`);
  }
}
