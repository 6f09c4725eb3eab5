import type { Channel } from '../channel';
import type { TransactionProgress } from '../chain/transaction-progress';
import { formatTokenAmount, type TokenUnits } from './token-amount';

/** Where the CLI writes, and what it reads from its environment; injected so tests can run it in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** True when stderr is a terminal: progress then updates one line instead of printing many. */
  readonly interactive: boolean;
  /**
   * Asks a yes/no question on the terminal and resolves to the answer; absent when stdin is not a terminal,
   * so nothing that needs consent is done silently in a script.
   */
  readonly confirm?: (question: string) => Promise<boolean>;
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

/**
 * The CLI's two channels: results on stdout (human text, or one JSON document with --json) and progress
 * on stderr, so `--json` output stays parseable while the user still sees what is happening.
 */
export class CliOutput {
  constructor(
    private readonly io: CliIo,
    readonly json: boolean,
  ) {}

  /** True when progress goes to a terminal. */
  get interactive(): boolean {
    return this.io.interactive;
  }

  /** Asks the user (see CliIo.confirm); undefined when there is no terminal to ask on. */
  get confirm(): ((question: string) => Promise<boolean>) | undefined {
    return this.io.confirm;
  }

  /** The command's result. */
  result(human: string, json: unknown): void {
    this.io.stdout(`${this.json ? toJson(json) : human}\n`);
  }

  /** One progress line. */
  progress(line: string): void {
    this.io.stderr(`${line}\n`);
  }

  /** A line that replaces itself on a terminal (countdowns); printed plainly otherwise. */
  status(line: string, final = false): void {
    if (this.io.interactive) this.io.stderr(`\r\x1b[2K${line}${final ? '\n' : ''}`);
    else this.io.stderr(`${line}\n`);
  }

  /** Progress of a transaction: sent, each confirmation, confirmed. */
  transaction(event: TransactionProgress): void {
    switch (event.stage) {
      case 'sent':
        this.progress(`  ${event.action}: sent ${event.txHash}`);
        break;
      case 'confirming':
        this.progress(
          `  ${event.action}: mined in block ${event.blockNumber}, ${event.confirmations}/${event.required} confirmations`,
        );
        break;
      case 'confirmed':
        this.progress(
          `  ${event.action}: confirmed in block ${event.blockNumber} (${event.confirmations} confirmations)`,
        );
        break;
      default: {
        const unhandled: never = event;
        return unhandled;
      }
    }
  }
}

/** A channel as a few aligned lines for people. */
export function describeChannel(channel: Channel, token: TokenUnits | undefined): string {
  const lines: [string, string][] = [
    ['state', channel.state],
    ['receiver', channel.receiver],
    ['deposit', formatTokenAmount(channel.deposit, token)],
    ['balance', formatTokenAmount(channel.balance, token)],
    ['remaining', formatTokenAmount(channel.remaining, token)],
  ];
  if (channel.acknowledgedBalance !== null) {
    lines.push(['acknowledged', formatTokenAmount(channel.acknowledgedBalance, token)]);
  }
  // Only where it differs: metered or streamed routes charged less than the proofs authorised.
  if (channel.chargedBalance !== null && channel.chargedBalance !== channel.acknowledgedBalance) {
    lines.push(['charged', formatTokenAmount(channel.chargedBalance, token)]);
  }
  if (channel.settleAt !== null) lines.push(['settle at', `${channel.settleAt} (chain time)`]);
  if (channel.openedBlock !== null) lines.push(['opened in', `block ${channel.openedBlock}`]);
  if (channel.gatewayUrl !== null) lines.push(['gateway', channel.gatewayUrl]);
  return [`channel ${channel.id}`, ...lines.map(([k, v]) => `  ${k.padEnd(13)}${v}`)].join('\n');
}
