import { isClientError } from '../client-error';
import type { CliArguments, CommandName } from './cli-arguments';
import { openCliContext, type CliContext } from './cli-context';
import { describeFailure } from './cli-failure';
import type { CliIo } from './cli-output';
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

/**
 * Runs a parsed command: builds the client from the global options and the environment, runs the command and
 * reports any failure as one `error CODE: message` line; resolves to the exit code. run-cli loads this module
 * only for a command (never for --help or a usage error), and the package ships it as one bundle with the
 * client, ethers and zod (scripts/build-cli-bundle.ts): one file read and compiled instead of hundreds.
 */
export async function runCommand(parsed: Extract<CliArguments, { help: false }>, io: CliIo): Promise<number> {
  let ctx: CliContext | undefined;
  try {
    ctx = await openCliContext(parsed.values, io);
    return await COMMANDS[parsed.command](ctx, parsed.args);
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
