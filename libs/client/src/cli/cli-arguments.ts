import { parseArgs } from 'node:util';
import { CliUsageError } from './cli-usage-error';

/** The commands of the `microraiden` CLI. */
export const COMMANDS = ['channels', 'open', 'topup', 'pay', 'close', 'settle', 'sync'] as const;
export type CommandName = (typeof COMMANDS)[number];

const OPTIONS = {
  rpc: { type: 'string' },
  deployment: { type: 'string' },
  keystore: { type: 'string' },
  'password-file': { type: 'string' },
  'state-dir': { type: 'string' },
  confirmations: { type: 'string' },
  'no-permit': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  // command options
  receiver: { type: 'string' },
  all: { type: 'boolean' },
  'max-price': { type: 'string' },
  'max-deposit': { type: 'string' },
  method: { type: 'string' },
  data: { type: 'string' },
  header: { type: 'string', multiple: true },
  'receiver-url': { type: 'string' },
  wait: { type: 'boolean' },
  uncooperative: { type: 'boolean' },
} as const;

const GLOBAL = new Set([
  'rpc',
  'deployment',
  'keystore',
  'password-file',
  'state-dir',
  'confirmations',
  'no-permit',
  'json',
  'help',
]);
/** The options each command takes besides the global ones. */
export const COMMAND_OPTIONS: Record<CommandName, readonly string[]> = {
  channels: ['receiver', 'all'],
  open: [],
  topup: [],
  pay: ['max-price', 'max-deposit', 'method', 'data', 'header'],
  close: ['receiver-url', 'uncooperative'],
  settle: ['wait'],
  sync: [],
};
const POSITIONALS: Record<CommandName, readonly string[]> = {
  channels: [],
  open: ['receiver', 'deposit'],
  topup: ['channelId', 'amount'],
  pay: ['url'],
  close: ['channelId'],
  settle: ['channelId'],
  sync: [],
};

/** Options as parsed: strings, booleans and the repeated --header. */
export type CliValues = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true }
    ? string[]
    : (typeof OPTIONS)[K]['type'] extends 'boolean'
      ? boolean
      : string;
};

/** A parsed command line. */
export type CliArguments =
  /** `--help`, alone (general usage) or after a command (that command's help). */
  | { readonly help: true; readonly command?: CommandName }
  | {
      readonly help: false;
      readonly command: CommandName;
      /** Positional arguments by name. */
      readonly args: Readonly<Record<string, string>>;
      readonly values: CliValues;
    };

/**
 * Parses argv (without node and the script): a command, its positional arguments and options, global
 * options anywhere. Unknown options, options of another command and wrong argument counts are usage errors.
 */
export function parseCliArguments(argv: readonly string[]): CliArguments {
  let parsed: { values: CliValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: OPTIONS,
      strict: true,
      allowPositionals: true,
    }) as typeof parsed;
  } catch (error) {
    // Node's messages go on to explain `--` for positionals; the first sentence is the point.
    throw new CliUsageError(((error as Error).message.split(/\.\s/)[0] ?? 'bad arguments').trim());
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  const known = command !== undefined && (COMMANDS as readonly string[]).includes(command);
  if (values.help) return known ? { help: true, command: command as CommandName } : { help: true };
  if (command === undefined) throw new CliUsageError('no command given (microraiden --help lists them)');
  if (!known) {
    throw new CliUsageError(`unknown command ${JSON.stringify(command)} (one of ${COMMANDS.join(', ')})`);
  }
  const name = command as CommandName;
  for (const option of Object.keys(values)) {
    if (!GLOBAL.has(option) && !COMMAND_OPTIONS[name].includes(option)) {
      throw new CliUsageError(`--${option} is not an option of ${name} (microraiden ${name} --help)`);
    }
  }
  const expected = POSITIONALS[name];
  if (rest.length !== expected.length) {
    const shape = expected.map((a) => `<${a}>`).join(' ');
    throw new CliUsageError(
      `${name} takes ${expected.length} argument(s): microraiden ${name} ${shape}`.trim() +
        ` (microraiden ${name} --help)`,
    );
  }
  const args = Object.fromEntries(expected.map((key, i) => [key, rest[i] as string]));
  return { help: false, command: name, args, values };
}
