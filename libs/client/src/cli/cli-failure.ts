import { MicroraidenError } from '@microraiden/errors';
import { CliUsageError } from './cli-usage-error';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, error: 1, usage: 2, httpError: 3 } as const;

/** The one-line `error CODE: message` for any failure, and its exit code. Never prints a key. */
export function describeFailure(error: unknown): { line: string; exitCode: number } {
  if (error instanceof CliUsageError) {
    const hint = error.message.includes('--help') ? '' : ' (microraiden --help)';
    return { line: `error ${error.code}: ${error.message}${hint}`, exitCode: EXIT.usage };
  }
  if (error instanceof MicroraidenError) {
    const { details } = error;
    const args = error.code === 'CONTRACT_REVERTED' && details.args ? ` ${String(details.args)}` : '';
    // Protocol errors name the offending header and why (never its value).
    const where =
      details.header && details.reason ? ` (${String(details.header)}: ${String(details.reason)})` : '';
    const message = `${error.message}${args}${where}`.replace(/\s*\n\s*/g, '; ');
    return { line: `error ${error.code}: ${message}`, exitCode: EXIT.error };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { line: `error INTERNAL: ${message.replace(/\s*\n\s*/g, '; ')}`, exitCode: EXIT.error };
}
