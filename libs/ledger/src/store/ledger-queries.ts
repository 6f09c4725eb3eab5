import type { ChannelStatus } from '../projection/channel-projection';
import type { ChannelView } from '../projection/channel-view';
import { overDeposit } from '../projection/over-deposit';
import { channelViewSelectList, decodeViewColumns } from './channel-columns';
import type { LedgerSql } from './ledger-database';

/** A page of results and the total number matching the filters. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** Hex and addresses as plain strings: what the API answers is read back from text columns. */
type AsStrings<T> = {
  [K in keyof T]: T[K] extends `0x${string}`
    ? string
    : T[K] extends `0x${string}` | null
      ? string | null
      : T[K];
};

/** A channel as the query API answers it: its view (amounts bigint, instants ISO) and what derives from it. */
export type ChannelRecord = AsStrings<ChannelView> & {
  /** Accepted balance above the confirmed deposit (`overDeposit`): revenue the chain cannot pay; 0 normally. */
  overDeposit: bigint;
};

/** Filters of {@link listChannels}; addresses checksummed, as stored. */
export interface ChannelFilter {
  status?: ChannelStatus;
  sender?: string;
  receiver?: string;
  limit: number;
  offset: number;
}

/** A stored channel row (the view's columns, as selected by {@link CHANNEL_SELECT}) as the query API answers it. */
export function recordOf(row: Record<string, unknown>): ChannelRecord {
  const view = decodeViewColumns(row);
  return { ...view, overDeposit: overDeposit(view) };
}

/** The select list of every channel read: the view's columns, as the column table declares them. */
export const CHANNEL_SELECT = channelViewSelectList();

/** Channels matching the filters, ordered by channel id. */
export async function listChannels(sql: LedgerSql, filter: ChannelFilter): Promise<Page<ChannelRecord>> {
  const conditions: string[] = [];
  const params: unknown[] = [];
  for (const [column, value] of [
    ['status', filter.status],
    ['sender', filter.sender],
    ['receiver', filter.receiver],
  ] as const) {
    if (!value) continue;
    params.push(value);
    conditions.push(`${column} = $${params.length}`);
  }
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  const rows = await sql.query(
    `SELECT ${CHANNEL_SELECT} FROM ledger_channels ${where}
      ORDER BY channel_id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, filter.limit, filter.offset],
  );
  const [count] = await sql.query<{ total: number }>(
    `SELECT count(*)::int AS total FROM ledger_channels ${where}`,
    params,
  );
  return { items: rows.map(recordOf), total: count?.total ?? 0, limit: filter.limit, offset: filter.offset };
}

/** One channel, or null when the ledger knows nothing of it. */
export async function findChannel(sql: LedgerSql, channelId: string): Promise<ChannelRecord | null> {
  const [row] = await sql.query(`SELECT ${CHANNEL_SELECT} FROM ledger_channels WHERE channel_id = $1`, [
    channelId.toLowerCase(),
  ]);
  return row ? recordOf(row) : null;
}

/** The latest accepted balance proof of a channel: what a dispute or a withdrawal submits on chain. */
export interface LatestProof {
  channelId: string;
  sender: string;
  receiver: string;
  chainId: number;
  channelManager: string;
  balance: bigint;
  signature: string;
  acceptedAt: string;
  eventId: string;
}

/** Latest accepted proof of a channel, or null when none was accepted. */
export async function findLatestProof(sql: LedgerSql, channelId: string): Promise<LatestProof | null> {
  const [row] = await sql.query<{
    channel_id: string;
    proof_state: {
      balance: string;
      signature: string;
      eventId: string;
      lastAcceptedAt: string;
      chainId: number;
      channelManager: string;
      sender: string;
      receiver: string;
    } | null;
  }>(`SELECT channel_id, proof_state FROM ledger_channels WHERE channel_id = $1`, [channelId.toLowerCase()]);
  const proof = row?.proof_state;
  if (!row || !proof) return null;
  return {
    channelId: row.channel_id,
    sender: proof.sender,
    receiver: proof.receiver,
    chainId: proof.chainId,
    channelManager: proof.channelManager,
    balance: BigInt(proof.balance),
    signature: proof.signature,
    acceptedAt: proof.lastAcceptedAt,
    eventId: proof.eventId,
  };
}

/** Largest amount first, then by `key` (a stable order for equal amounts). */
const byAmountThen =
  <T extends { amount: bigint }>(key: (row: T) => string) =>
  (a: T, b: T) =>
    b.amount > a.amount ? 1 : b.amount < a.amount ? -1 : key(a).localeCompare(key(b));

type RevenueRow = { amount: string; proofs: number };

/** Revenue by route and method, largest first. */
export async function revenueByRoute(sql: LedgerSql) {
  const rows = await sql.query<RevenueRow & { route: string; method: string }>(
    `SELECT route, method, amount::text, proofs FROM ledger_revenue_by_route`,
  );
  return rows
    .map((row) => ({ route: row.route, method: row.method, amount: BigInt(row.amount), proofs: row.proofs }))
    .sort(byAmountThen((row) => row.route));
}

/** Revenue by sender, largest first. */
export async function revenueBySender(sql: LedgerSql) {
  const rows = await sql.query<RevenueRow & { sender: string }>(
    `SELECT sender, amount::text, proofs FROM ledger_revenue_by_sender`,
  );
  return rows
    .map((row) => ({ sender: row.sender, amount: BigInt(row.amount), proofs: row.proofs }))
    .sort(byAmountThen((row) => row.sender));
}

/** Revenue by UTC day in [from, to] (inclusive, `YYYY-MM-DD`), oldest first. */
export async function revenueByDay(sql: LedgerSql, range: { from?: string; to?: string } = {}) {
  const rows = await sql.query<RevenueRow & { day: string }>(
    `SELECT day::text AS day, amount::text, proofs FROM ledger_revenue_by_day
      WHERE ($1::date IS NULL OR day >= $1::date) AND ($2::date IS NULL OR day <= $2::date)
      ORDER BY day`,
    [range.from ?? null, range.to ?? null],
  );
  return rows.map((row) => ({ day: row.day, amount: BigInt(row.amount), proofs: row.proofs }));
}

/** A channel holding accepted balance the receiver has neither withdrawn nor been paid by a settlement. */
export interface FundsAtRiskEntry {
  channelId: string;
  status: ChannelStatus;
  sender: string | null;
  receiver: string | null;
  balance: bigint;
  withdrawn: bigint;
  deposit: bigint;
  atRisk: bigint;
  /** The part of `atRisk` above the confirmed deposit, which no proof can claim on chain (`overDeposit`). */
  overDeposit: bigint;
}

/** Accepted but not yet withdrawn or settled, per channel (largest first) and in total. */
export async function fundsAtRisk(sql: LedgerSql): Promise<{ total: bigint; channels: FundsAtRiskEntry[] }> {
  const rows = (await sql.query(
    `SELECT channel_id, status, sender, receiver, balance::text, withdrawn::text, deposit::text,
            (balance - withdrawn)::text AS at_risk
       FROM ledger_channels
      WHERE status <> 'settled' AND balance > withdrawn
      ORDER BY balance - withdrawn DESC, channel_id`,
  )) as Array<Record<string, string>>;
  const channels = rows.map((row) => ({
    channelId: row.channel_id!,
    status: row.status as ChannelStatus,
    sender: row.sender ?? null,
    receiver: row.receiver ?? null,
    balance: BigInt(row.balance!),
    withdrawn: BigInt(row.withdrawn!),
    deposit: BigInt(row.deposit!),
    atRisk: BigInt(row.at_risk!),
    overDeposit: overDeposit({ balance: BigInt(row.balance!), deposit: BigInt(row.deposit!) }),
  }));
  return { total: channels.reduce((sum, c) => sum + c.atRisk, 0n), channels };
}

/** Unsettled channels whose accepted balance exceeds the confirmed deposit, and by how much in total. */
export interface OverDepositTotals {
  channels: number;
  total: bigint;
}

/** {@link OverDepositTotals} over all channels: the SQL form of `isAtRiskOverDeposit` (metrics and operator page). */
export async function overDepositTotals(sql: LedgerSql): Promise<OverDepositTotals> {
  const [row] = (await sql.query(
    `SELECT count(*)::int AS channels, COALESCE(SUM(balance - deposit), 0)::text AS total
       FROM ledger_channels
      WHERE status <> 'settled' AND balance > deposit`,
  )) as Array<{ channels: number; total: string }>;
  return { channels: row?.channels ?? 0, total: BigInt(row?.total ?? '0') };
}

/** One consumed event (applied or ignored), keyed by where it was read. */
export interface LedgerAuditRecord {
  topic: string;
  partition: number;
  /** bigint column, as a base-10 string. */
  offset: string;
  eventId: string;
  generation: number;
  type: string;
  channelId: string;
  outcome: 'applied' | 'ignored';
  reason: string | null;
  detail: string | null;
  amount: bigint | null;
  balance: bigint | null;
  occurredAt: Date;
  appliedAt: Date;
}

const orNull = (value: string | null) => (value === null ? null : BigInt(value));

/** Audit rows, newest consumed first, optionally for one channel or outcome. */
export async function listAudit(
  sql: LedgerSql,
  filter: { channelId?: string; outcome?: 'applied' | 'ignored'; limit: number; offset: number },
): Promise<Page<LedgerAuditRecord>> {
  const where = `WHERE ($1::text IS NULL OR channel_id = $1) AND ($2::text IS NULL OR outcome = $2)`;
  const params = [filter.channelId?.toLowerCase() ?? null, filter.outcome ?? null];
  const rows = await sql.query<
    Omit<LedgerAuditRecord, 'amount' | 'balance'> & { amount: string | null; balance: string | null }
  >(
    `SELECT topic, partition, "offset"::text AS "offset", event_id AS "eventId", generation, type,
            channel_id AS "channelId", outcome, reason, detail, amount::text, balance::text,
            occurred_at AS "occurredAt", applied_at AS "appliedAt"
       FROM ledger_audit ${where}
      ORDER BY applied_at DESC, topic ASC, partition ASC, "offset" DESC
      LIMIT $3 OFFSET $4`,
    [...params, filter.limit, filter.offset],
  );
  const [count] = await sql.query<{ total: number }>(
    `SELECT count(*)::int AS total FROM ledger_audit ${where}`,
    params,
  );
  return {
    items: rows.map((row) => ({ ...row, amount: orNull(row.amount), balance: orNull(row.balance) })),
    total: count?.total ?? 0,
    limit: filter.limit,
    offset: filter.offset,
  };
}
