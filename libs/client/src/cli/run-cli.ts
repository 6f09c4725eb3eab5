import { MicroraidenError } from '@microraiden/errors';
import { parseCliArguments, USAGE, type CommandName } from './cli-arguments';
import { openCliContext, type CliContext } from './cli-context';
import type { CliIo } from './cli-output';
import { CliUsageError } from './cli-usage-error';
import { channelsCommand } from './commands/channels-command';
import { closeCommand } from './commands/close-command';
import { openCommand } from './commands/open-command';
import { payCommand } from './commands/pay-command';
import { settleCommand } from './commands/settle-command';
import { syncCommand } from './commands/sync-command';
import { topupCommand } from './commands/topup-command';

type Command = (ctx: CliContext, args: Readonly<Record<string, string>>) => Promise<number>;

const COMMANDS: Record<CommandName, Command> = {
  channels: channelsCommand,
  open: openCommand,
  topup: topupCommand,
  pay: payCommand,
  close: closeCommand,
  settle: settleCommand,
  sync: syncCommand,
};

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, error: 1, usage: 2, httpError: 3 } as const;

/** The one-line `error CODE: message` for any failure, and its exit code. Never prints a key. */
export function describeFailure(error: unknown): { line: string; exitCode: number } {
  if (error instanceof CliUsageError) {
    return { line: `error ${error.code}: ${error.message} (microraiden --help)`, exitCode: EXIT.usage };
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

/** Runs the CLI on `argv` (without node and the script name); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let ctx: CliContext | undefined;
  try {
    const parsed = parseCliArguments(argv);
    if (parsed.help) {
      io.stdout(`${USAGE}\n`);
      return EXIT.ok;
    }
    ctx = await openCliContext(parsed.values, io);
    return await COMMANDS[parsed.command](ctx, parsed.args);
  } catch (error) {
    const { line, exitCode } = describeFailure(error);
    io.stderr(`${line}\n`);
    return exitCode;
  } finally {
    await ctx?.client.close();
  }
}
