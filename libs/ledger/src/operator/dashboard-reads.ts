import type { ChannelStatus } from '../projection/channel-projection';

/**
 * Runs one SQL statement and resolves with its rows. The operator dashboard's reads take this rather than a
 * DataSource so they do not depend on how the ledger's store is built (a TypeORM DataSource's `query` and a pg
 * pool's `query(...).rows` both fit in one line).
 */
export type SqlRows = (sql: string, params?: readonly unknown[]) => Promise<Array<Record<string, unknown>>>;

/** Revenue and accepted proofs of one UTC day. */
export interface DayRevenue {
  readonly day: string;
  readonly amount: bigint;
  readonly proofs: number;
}

/** Revenue from one sender. */
export interface SenderRevenue {
  readonly sender: string;
  readonly amount: bigint;
  readonly proofs: number;
}

/** A channel a sender closed uncooperatively (closing, or settled after it). */
export interface ClosedChannel {
  readonly channelId: string;
  readonly sender: string | null;
  readonly status: ChannelStatus;
  readonly deposit: bigint;
  readonly balance: bigint;
  readonly closeBalance: bigint;
  /** Unix seconds from which anyone may settle at the sender's claim. */
  readonly settleAt: bigint | null;
  readonly settledBalance: bigint | null;
  readonly settledAt: string | null;
  readonly updatedAt: string;
}

/** What the dashboard adds to the operator snapshot. */
export interface DashboardData {
  readonly days: DayRevenue[];
  readonly senders: SenderRevenue[];
  readonly senderCount: number;
  readonly closes: ClosedChannel[];
  readonly closeCount: number;
}

const big = (value: unknown) => BigInt(String(value));
const bigOrNull = (value: unknown) => (value === null || value === undefined ? null : big(value));
const isoOrNull = (value: unknown) =>
  value === null || value === undefined ? null : new Date(value as string | Date).toISOString();

/**
 * The dashboard's data: revenue per UTC day since `since` (`YYYY-MM-DD`), the `senderLimit` largest senders, and the
 * `closeLimit` most recent uncooperative closes. Reads only the projection's own tables, keyed or small.
 */
export async function loadDashboardData(
  rows: SqlRows,
  options: { since: string; senderLimit: number; closeLimit: number },
): Promise<DashboardData> {
  const [days, senders, senderCount, closes, closeCount] = await Promise.all([
    rows(
      `SELECT day::text AS day, amount::text AS amount, proofs FROM ledger_revenue_by_day WHERE day >= $1 ORDER BY day`,
      [options.since],
    ),
    rows(
      `SELECT sender, amount::text AS amount, proofs FROM ledger_revenue_by_sender
        ORDER BY amount DESC, sender LIMIT $1`,
      [options.senderLimit],
    ),
    rows(`SELECT count(*)::int AS n FROM ledger_revenue_by_sender`),
    rows(
      `SELECT channel_id, sender, status, deposit::text AS deposit, balance::text AS balance,
              close_balance::text AS close_balance, settle_at::text AS settle_at,
              settled_balance::text AS settled_balance, settled_at, updated_at
         FROM ledger_channels WHERE close_balance IS NOT NULL
        ORDER BY updated_at DESC, channel_id LIMIT $1`,
      [options.closeLimit],
    ),
    rows(`SELECT count(*)::int AS n FROM ledger_channels WHERE close_balance IS NOT NULL`),
  ]);
  return {
    days: days.map((r) => ({ day: String(r.day), amount: big(r.amount), proofs: Number(r.proofs) })),
    senders: senders.map((r) => ({
      sender: String(r.sender),
      amount: big(r.amount),
      proofs: Number(r.proofs),
    })),
    senderCount: Number(senderCount[0]?.n ?? 0),
    closes: closes.map((r) => ({
      channelId: String(r.channel_id),
      sender: r.sender === null ? null : String(r.sender),
      status: r.status as ChannelStatus,
      deposit: big(r.deposit),
      balance: big(r.balance),
      closeBalance: big(r.close_balance),
      settleAt: bigOrNull(r.settle_at),
      settledBalance: bigOrNull(r.settled_balance),
      settledAt: isoOrNull(r.settled_at),
      updatedAt: isoOrNull(r.updated_at) ?? '',
    })),
    closeCount: Number(closeCount[0]?.n ?? 0),
  };
}
