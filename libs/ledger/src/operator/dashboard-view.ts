import { claimableOf, closeVerdictOf, type CloseVerdict } from './close-verdict';
import type { DashboardData } from './dashboard-reads';
import { formatUnits } from '@microraiden/protocol';
import { displayAmount, type DisplayAmount, type TokenUnits } from './token-amount';
import type { WatcherStatus } from './watcher-status';

/** The charts' series: one point per UTC day, oldest first, days without revenue at zero. */
export interface DashboardCharts {
  /** Unix seconds of each day's midnight UTC (uPlot's x axis). */
  readonly days: number[];
  /** Revenue in token units: a float, for drawing only (the tables carry the exact amounts). */
  readonly revenue: number[];
  /** Accepted proofs: one per paid request. */
  readonly requests: number[];
}

export interface DashboardSenderRow {
  readonly sender: string;
  readonly amount: DisplayAmount;
  readonly proofs: number;
}

export interface DashboardCloseRow {
  readonly channelId: string;
  readonly sender: string | null;
  readonly status: string;
  /** What the sender claimed in its close. */
  readonly claimed: DisplayAmount;
  /** What the receiver's latest accepted proof is worth on chain. */
  readonly accepted: DisplayAmount;
  readonly settled: DisplayAmount | null;
  /** ISO time from which the close can be settled at the sender's claim (the dispute deadline). */
  readonly settleAt: string | null;
  readonly verdict: CloseVerdict;
  readonly updatedAt: string;
}

/** What the dashboard sections render. */
export interface DashboardView {
  readonly charts: DashboardCharts;
  readonly senders: DashboardSenderRow[];
  readonly senderCount: number;
  readonly closes: DashboardCloseRow[];
  readonly closeCount: number;
  /** Closes the chain-watcher still has to dispute. */
  readonly disputesDue: number;
  readonly watcher: WatcherStatus;
}

const DAY_MS = 86_400_000;

/** The `count` UTC days ending with today's, as `YYYY-MM-DD`, oldest first. */
export function lastDays(now: Date, count: number): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: count }, (_, i) =>
    new Date(today - (count - 1 - i) * DAY_MS).toISOString().slice(0, 10),
  );
}

function chartsOf(data: DashboardData, token: TokenUnits, days: string[]): DashboardCharts {
  const byDay = new Map(data.days.map((d) => [d.day, d]));
  return {
    days: days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000),
    revenue: days.map((day) => Number(formatUnits(byDay.get(day)?.amount ?? 0n, token.decimals))),
    requests: days.map((day) => byDay.get(day)?.proofs ?? 0),
  };
}

/** Build the dashboard sections' model; pure, so every number on them is unit-testable. */
export function buildDashboardView(input: {
  data: DashboardData;
  watcher: WatcherStatus;
  token: TokenUnits;
  days: string[];
}): DashboardView {
  const { data, token } = input;
  const amount = (value: bigint) => displayAmount(value, token);
  const closes = data.closes.map((c) => ({
    channelId: c.channelId,
    sender: c.sender,
    status: c.status,
    claimed: amount(c.closeBalance),
    accepted: amount(claimableOf(c)),
    settled: c.settledBalance === null ? null : amount(c.settledBalance),
    settleAt: c.settleAt === null ? null : new Date(Number(c.settleAt) * 1000).toISOString(),
    verdict: closeVerdictOf(c),
    updatedAt: c.updatedAt,
  }));
  return {
    charts: chartsOf(data, token, input.days),
    senders: data.senders.map((s) => ({ sender: s.sender, amount: amount(s.amount), proofs: s.proofs })),
    senderCount: data.senderCount,
    closes,
    closeCount: data.closeCount,
    disputesDue: closes.filter((c) => c.verdict === 'dispute-due').length,
    watcher: input.watcher,
  };
}
