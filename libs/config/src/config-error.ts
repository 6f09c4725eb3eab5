import { MicroraidenError } from '@microraiden/errors';

/** Start-up configuration is invalid; `issues` lists every bad key at once so an operator fixes them in one go. */
export class ConfigError extends MicroraidenError<'CONFIG_INVALID'> {
  override readonly name = 'ConfigError';

  constructor(readonly issues: readonly string[]) {
    super('CONFIG_INVALID', `invalid configuration:\n  - ${issues.join('\n  - ')}`, {
      count: issues.length,
    });
  }
}
