import { parseArgs } from 'node:util';
import { CliUsageError } from './cli-usage-error';

/** The commands of the `microraiden` CLI. */
export const COMMANDS = ['channels', 'open', 'topup', 'pay', 'close', 'settle', 'sync'] as const;
export type CommandName = (typeof COMMANDS)[number];

export const USAGE = `usage: microraiden <command> [options]

commands:
  channels [--receiver <address>] [--all]     list this sender's channels (local state; --all includes settled)
  open <receiver> <deposit>                   open a channel (permit when the token supports it)
  topup <channelId> <amount>                  add to a channel's deposit
  pay <url> [--max-price <amount>] [--max-deposit <amount>] [--method <verb>] [--data <body>] [--header 'Name: value']
                                              fetch a paywalled URL, paying over a channel (body on stdout)
  close <channelId> [--receiver-url <url>]    close cooperatively through the receiver, else start the challenge period
  settle <channelId> [--wait]                 pay out a closing channel after its challenge period (--wait: count down)
  sync                                        rebuild the local state from the chain's events

global options:
  --rpc <url>              JSON-RPC endpoint (env MICRORAIDEN_RPC_URL)
  --deployment <file>      deployment JSON: chainId, channelManager, token, challengePeriod, deployBlock
                           (env MICRORAIDEN_DEPLOYMENT)
  --keystore <file>        key file, mode 0600: encrypted JSON keystore or hex key (env MICRORAIDEN_KEYSTORE);
                           without it the key is read from env MICRORAIDEN_PRIVATE_KEY
  --password-file <file>   keystore password on the first line, mode 0600 (or env MICRORAIDEN_KEYSTORE_PASSWORD)
  --state-dir <dir>        local channel state (default ~/.microraiden; env MICRORAIDEN_STATE_DIR)
  --confirmations <n>      blocks to wait for each transaction (default 1)
  --no-permit              fund with approve + call even if the token supports EIP-2612
  --json                   machine-readable output on stdout
  -h, --help               this text

amounts: base units (1000), or token units with the token's symbol (0.5MTK). Defaults of pay: --max-price 0
(only shows the price), --max-deposit 0 (existing channels only).
exit codes: 0 ok, 1 error, 2 usage error, 3 pay got an HTTP error status.`;

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
const COMMAND_OPTIONS: Record<CommandName, readonly string[]> = {
  channels: ['receiver', 'all'],
  open: [],
  topup: [],
  pay: ['max-price', 'max-deposit', 'method', 'data', 'header'],
  close: ['receiver-url'],
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
  | { readonly help: true }
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
  if (values.help) return { help: true };
  const [command, ...rest] = positionals;
  if (command === undefined) throw new CliUsageError('no command given (microraiden --help lists them)');
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new CliUsageError(`unknown command ${JSON.stringify(command)} (one of ${COMMANDS.join(', ')})`);
  }
  const name = command as CommandName;
  for (const option of Object.keys(values)) {
    if (!GLOBAL.has(option) && !COMMAND_OPTIONS[name].includes(option)) {
      throw new CliUsageError(`--${option} is not an option of ${name}`);
    }
  }
  const expected = POSITIONALS[name];
  if (rest.length !== expected.length) {
    const shape = expected.map((a) => `<${a}>`).join(' ');
    throw new CliUsageError(
      `${name} takes ${expected.length} argument(s): microraiden ${name} ${shape}`.trim(),
    );
  }
  const args = Object.fromEntries(expected.map((key, i) => [key, rest[i] as string]));
  return { help: false, command: name, args, values };
}
