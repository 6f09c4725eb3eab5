import { ChainWatcherError } from './chain-watcher-error';
import { systemClock, type Clock } from './clock';
import {
  afterRefusal,
  DEFAULT_GAS_FUNDS_POLICY,
  FUNDED,
  maySend,
  type GasFunds,
  type GasFundsPolicy,
} from './gas-funds';
import { silentLog, type WatcherLog } from './watcher-log';

const INSUFFICIENT_FUNDS = /insufficient funds/i;

/** True when the node refused a call or transaction because the account cannot pay for its gas. */
export function isInsufficientFunds(error: unknown): boolean {
  const seen = new Set<unknown>();
  // ethers nests the node's answer (`info.error`, `error`) and our errors keep theirs as `cause`.
  for (let e = error as Record<string, unknown> | undefined; e && !seen.has(e);) {
    seen.add(e);
    if (e.code === 'INSUFFICIENT_FUNDS' || INSUFFICIENT_FUNDS.test(String(e.message ?? ''))) return true;
    const info = e.info as { error?: unknown } | undefined;
    e = (e.cause ?? e.error ?? info?.error) as Record<string, unknown> | undefined;
  }
  return false;
}

/** True for the error a held send throws: the caller's round is not a failure worth a log line. */
export function isHeldForFunds(error: unknown): boolean {
  return error instanceof ChainWatcherError && error.code === 'RECEIVER_FUNDS_INSUFFICIENT';
}

/** Observers for metrics. */
export interface GasFundsObserver {
  /** A send the node refused for lack of ETH (each one). */
  onRefused?(): void;
  /** The account became short (true), or paid for a transaction again (false): once per outage each. */
  onShortChanged?(short: boolean): void;
}

/** Settings of {@link GasFundsGate}. */
export interface GasFundsGateOptions {
  policy?: GasFundsPolicy;
  /** While short, the balance is read at most this often (ms). Default 500. */
  balanceMaxAgeMs?: number;
}

/**
 * Stops a key without ETH from hammering the node: after a send is refused for lack of funds, further sends are
 * held (they throw RECEIVER_FUNDS_INSUFFICIENT without an RPC call) until the balance rises, which lets the next
 * send through at once, or until the capped exponential back-off ends. Logs once when the outage starts and once
 * when it ends; {@link GasFundsObserver} feeds the metrics an alert rule reads.
 */
export class GasFundsGate {
  private state: GasFunds = FUNDED;
  private lastRead: { at: number; balance: bigint } | undefined;

  constructor(
    private readonly readBalance: () => Promise<bigint>,
    private readonly options: GasFundsGateOptions = {},
    private readonly log: WatcherLog = silentLog,
    private readonly observer: GasFundsObserver = {},
    private readonly clock: Clock = systemClock,
  ) {}

  /** Whether the last send was refused for lack of funds. */
  get short(): boolean {
    return this.state.kind === 'short';
  }

  /** Resolves when a send may be tried now; throws RECEIVER_FUNDS_INSUFFICIENT while it is held. */
  async admit(): Promise<void> {
    if (this.state.kind === 'funded') return;
    const now = this.clock();
    if (maySend(this.state, now, await this.balance(now))) return;
    throw this.held();
  }

  /** Record a refusal for lack of funds (`cause`, the node's error) and return the error to throw instead. */
  async refused(cause: unknown): Promise<ChainWatcherError> {
    const now = this.clock();
    const previous = this.state;
    const balance = await this.readBalance().catch(() => (previous.kind === 'short' ? previous.balance : 0n));
    this.lastRead = { at: now, balance };
    this.state = afterRefusal(previous, now, balance, this.options.policy ?? DEFAULT_GAS_FUNDS_POLICY);
    this.observer.onRefused?.();
    if (previous.kind === 'funded') {
      this.log.error(
        'the receiver cannot pay for gas: disputes and withdrawals wait until its ETH balance rises',
        {
          balanceWei: balance.toString(),
          error: (cause as Error | undefined)?.message ?? String(cause),
        },
      );
      this.observer.onShortChanged?.(true);
    }
    return this.held(cause);
  }

  /** The node accepted a transaction of the key: the outage, if any, is over. */
  paid(): void {
    const previous = this.state;
    this.state = FUNDED;
    this.lastRead = undefined;
    if (previous.kind === 'funded') return;
    this.log.info('the receiver pays for gas again', {
      outageMs: this.clock() - previous.since,
      refusals: previous.refusals,
    });
    this.observer.onShortChanged?.(false);
  }

  private async balance(now: number): Promise<bigint> {
    const maxAge = this.options.balanceMaxAgeMs ?? 500;
    if (!this.lastRead || now - this.lastRead.at >= maxAge)
      this.lastRead = { at: now, balance: await this.readBalance() };
    return this.lastRead.balance;
  }

  private held(cause?: unknown): ChainWatcherError {
    const state = this.state as GasFunds & { kind: 'short' };
    return new ChainWatcherError(
      'RECEIVER_FUNDS_INSUFFICIENT',
      'the receiver cannot pay for gas; sends are held until its ETH balance rises',
      { balanceWei: state.balance.toString(), retryAt: new Date(state.retryAt).toISOString() },
      cause === undefined ? undefined : { cause },
    );
  }
}
