import { MicroraidenError } from '@microraiden/errors';

/** Codes of {@link MigrationError}: a declaration the runner refuses, or a database that disagrees with it. */
export type MigrationErrorCode = 'MIGRATION_INVALID' | 'MIGRATION_CONFLICT';

/**
 * `MIGRATION_INVALID`: the code declares versions out of order, twice, or not positive integers.
 * `MIGRATION_CONFLICT`: the database recorded a version under another name than the code's (an edited migration).
 * Neither is transient: start-up fails, naming the store and version.
 */
export class MigrationError extends MicroraidenError<MigrationErrorCode> {
  override readonly name = 'MigrationError';
}
