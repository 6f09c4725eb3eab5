import { MicroraidenError } from '@microraiden/errors';

/** The command line is wrong (unknown command or option, missing or malformed argument): exit code 2. */
export class CliUsageError extends MicroraidenError<'INVALID_USAGE'> {
  override readonly name = 'CliUsageError';

  constructor(message: string) {
    super('INVALID_USAGE', message);
  }
}
