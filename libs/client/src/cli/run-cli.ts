import { MicroraidenError } from '@microraiden/errors';
import { isClientError } from '../client-error';
import { parseCliArguments, type CommandName } from './cli-arguments';
import { helpText } from './cli-help';
import type { CliContext } from './cli-context';
import type { CliIo } from './cli-output';
import { CliUsageError } from './cli-usage-error';

type Command = (ctx: CliContext, args: Readonly<Record<string, string>>) => Promise<number>;

// Loaded on demand: `--help` and usage errors then answer without loading ethers, zod and the client
// (most of a start-up), and each command loads only its own module.
const COMMANDS: Record<CommandName, () => Promise<Command>> = {
  channels: async () => (await import('./commands/channels-command')).channelsCommand,
  open: async () => (await import('./commands/open-command')).openCommand,
  topup: async () => (await import('./commands/topup-command')).topupCommand,
  pay: async () => (await import('./commands/pay-command')).payCommand,
  close: async () => (await import('./commands/close-command')).closeCommand,
  settle: async () => (await import('./commands/settle-command')).settleCommand,
  sync: async () => (await import('./commands/sync-command')).syncCommand,
};

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

/** Runs the CLI on `argv` (without node and the script name); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let ctx: CliContext | undefined;
  try {
    const parsed = parseCliArguments(argv);
    if (parsed.help) {
      io.stdout(`${helpText(parsed.command)}\n`);
      return EXIT.ok;
    }
    const { openCliContext } = await import('./cli-context');
    const command = await COMMANDS[parsed.command]();
    ctx = await openCliContext(parsed.values, io);
    return await command(ctx, parsed.args);
  } catch (error) {
    const { line, exitCode } = describeFailure(error);
    // The SDK does not know which flag or variable the endpoint came from; the user does, by its URL.
    const where = ctx && isClientError(error, 'RPC_UNAVAILABLE') ? ` (RPC ${ctx.rpcUrl})` : '';
    io.stderr(`${line}${where}\n`);
    return exitCode;
  } finally {
    await ctx?.client.close();
  }
}
