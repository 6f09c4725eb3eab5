import { parseCliArguments } from './cli-arguments';
import { describeFailure, EXIT } from './cli-failure';
import { helpText } from './cli-help';
import type { CliIo } from './cli-output';

/** Runs the CLI on `argv` (without node and the script name); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseCliArguments(argv);
  } catch (error) {
    const { line, exitCode } = describeFailure(error);
    io.stderr(`${line}\n`);
    return exitCode;
  }
  if (parsed.help) {
    io.stdout(`${helpText(parsed.command)}\n`);
    return EXIT.ok;
  }
  // Loaded on demand: `--help` and usage errors then answer without loading ethers, zod and the client
  // (most of a start-up). A failure of the command itself is reported by runCommand, inside that module.
  const { runCommand } = await import('./run-command');
  return runCommand(parsed, io);
}
