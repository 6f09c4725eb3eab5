import type { CommandName } from './cli-arguments';

/** The text of `microraiden --help`: every command in one line each, and the global options. */
export const USAGE = `usage: microraiden <command> [options]     (microraiden <command> --help for one command)

commands:
  channels [--receiver <address>] [--all]     list this sender's channels (local state; --all includes settled)
  open <receiver> <deposit>                   open a channel (permit when the token supports it)
  topup <channelId> <amount>                  add to a channel's deposit
  pay <url> [--max-price <amount>] [--max-deposit <amount>] [--method <verb>] [--data <body>] [--header 'Name: value']
                                              fetch a paywalled URL, paying over a channel (body on stdout)
  close <channelId> [--receiver-url <url>] [--uncooperative]
                                              close cooperatively through the receiver; asks before a unilateral close
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

amounts: token units with the token's symbol (0.5MTK), or an integer of base units (1000); shown as
token units with base units beside. Defaults of pay: --max-price 0 (only shows the price), --max-deposit 0
(existing channels only).
exit codes: 0 ok, 1 error, 2 usage error, 3 pay got an HTTP error status.`;

const GLOBAL_HINT = 'global options (--rpc, --deployment, --keystore, --json, ...): microraiden --help';

/** `microraiden <command> --help`: what one command does, its arguments and options, an example. */
export const COMMAND_HELP: Record<CommandName, string> = {
  channels: `usage: microraiden channels [--receiver <address>] [--all]

Lists this sender's channels from the local state (no transaction; the chain is only asked for the
token's symbol and decimals). Run \`microraiden sync\` first on a new machine.

  --receiver <address>   only channels to this receiver
  --all                  include settled channels

example: microraiden channels --receiver 0x7099...79C8`,
  open: `usage: microraiden open <receiver> <deposit>

Opens a channel to <receiver> escrowing <deposit> tokens: one createChannelWithPermit transaction when
the token supports EIP-2612 permits, else approve + createChannel (--no-permit forces the latter).

  <receiver>   the receiver's address (the gateway's RDN-Receiver-Address)
  <deposit>    token units with the symbol (5MTK) or base units (5000000000000000000)

example: microraiden open 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 5MTK`,
  topup: `usage: microraiden topup <channelId> <amount>

Adds <amount> tokens to an open channel's deposit (with a permit when the token supports it).

  <channelId>   0x + 64 hex digits (microraiden channels lists them)
  <amount>      token units with the symbol (1MTK) or base units

example: microraiden topup 0xa011...488f 1MTK`,
  pay: `usage: microraiden pay <url> [--max-price <amount>] [--max-deposit <amount>] [--method <verb>]
                       [--data <body>] [--header 'Name: value']...

Fetches a paywalled URL. On 402 it signs a balance proof on a channel to the gateway's receiver and
sends the request again; the body goes to stdout, the price and what was paid to stderr.

  --max-price <amount>     the most one request may cost (default 0: only show the price, pay nothing)
  --max-deposit <amount>   the most to escrow when a new channel (or a top-up) is needed (default 0:
                           existing channels only)
  --method <verb>          HTTP method (default GET, or POST with --data)
  --data <body>            request body
  --header 'Name: value'   request header (repeatable)

exit code 3 when the final HTTP status is >= 400.
example: microraiden pay http://localhost:8080/api/weather --max-price 0.001MTK --max-deposit 1MTK`,
  close: `usage: microraiden close <channelId> [--receiver-url <url>] [--uncooperative]

Asks the receiver's gateway for a closing signature and closes cooperatively: the channel is settled at
once. If that fails (gateway down, refusal), the channel can only be closed uncooperatively, which starts
the challenge period (the receiver may dispute; settle afterwards). The CLI then asks first on a
terminal; without a terminal it refuses unless --uncooperative is given.

  --receiver-url <url>   the gateway to ask (default: where pay met the receiver)
  --uncooperative        fall back to the uncooperative close without asking

example: microraiden close 0xa011...488f --receiver-url http://localhost:8080`,
  settle: `usage: microraiden settle <channelId> [--wait]

Pays out a closing channel once its challenge period is over (chain time).

  --wait   count the challenge period down and settle as soon as it ends

example: microraiden settle 0xa011...488f --wait`,
  sync: `usage: microraiden sync

Rebuilds the local channel state from the channel manager's events since the deployment block, e.g.
on a new machine or after losing ~/.microraiden. Balances come back from the chain and the gateway.

example: microraiden sync`,
};

/** The help text for `command`, or the general usage. */
export function helpText(command?: CommandName): string {
  return command === undefined ? USAGE : `${COMMAND_HELP[command]}\n\n${GLOBAL_HINT}`;
}
