import type { DataSource, EntityManager } from 'typeorm';
import type { ChannelStatus } from '../projection/channel-projection';
import { overDeposit } from '../projection/over-deposit';
import {
  LedgerAuditEntity,
  LedgerChannelEntity,
  LedgerRevenueByDayEntity,
  LedgerRevenueByRouteEntity,
  LedgerRevenueBySenderEntity,
} from './ledger-entities';

/** A page of results and the total number matching the filters. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** A channel as the query API answers it (amounts bigint, instants ISO). */
export interface ChannelRecord {
  channelId: string;
  status: ChannelStatus;
  sender: string | null;
  receiver: string | null;
  chainId: number | null;
  channelManager: string | null;
  deposit: bigint;
  withdrawn: bigint;
  balance: bigint;
  /** Accepted balance above the confirmed deposit (`overDeposit`): revenue the chain cannot pay; 0 normally. */
  overDeposit: bigint;
  signature: string | null;
  proofCount: number;
  lastProofAt: string | null;
  closeBalance: bigint | null;
  /** Balance at which the receiver signed a cooperative close, and when (null: never signed). */
  closeSignedBalance: bigint | null;
  closeSignedAt: string | null;
  settleAt: bigint | null;
  settledAt: string | null;
  settledBalance: bigint | null;
  receiverPaid: bigint | null;
  senderRefund: bigint | null;
  createdBlock: number | null;
  updatedAt: string;
}

/** Filters of {@link listChannels}; addresses checksummed, as stored. */
export interface ChannelFilter {
  status?: ChannelStatus;
  sender?: string;
  receiver?: string;
  limit: number;
  offset: number;
}

const iso = (value: Date | null) => (value === null ? null : value.toISOString());

/** A stored channel row as the query API answers it. */
export function recordOf(row: LedgerChannelEntity): ChannelRecord {
  return {
    channelId: row.channelId,
    status: row.status,
    sender: row.sender,
    receiver: row.receiver,
    chainId: row.chainId,
    channelManager: row.channelManager,
    deposit: row.deposit,
    withdrawn: row.withdrawn,
    balance: row.balance,
    overDeposit: overDeposit(row),
    signature: row.signature,
    proofCount: row.proofCount,
    lastProofAt: iso(row.lastProofAt),
    closeBalance: row.closeBalance,
    closeSignedBalance: row.closeSignedBalance,
    closeSignedAt: iso(row.closeSignedAt),
    settleAt: row.settleAt,
    settledAt: iso(row.settledAt),
    settledBalance: row.settledBalance,
    receiverPaid: row.receiverPaid,
    senderRefund: row.senderRefund,
    createdBlock: row.createdBlock === null ? null : Number(row.createdBlock),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Channels matching the filters, ordered by channel id. */
export async function listChannels(
  dataSource: DataSource,
  filter: ChannelFilter,
): Promise<Page<ChannelRecord>> {
  const where = {
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.sender ? { sender: filter.sender } : {}),
    ...(filter.receiver ? { receiver: filter.receiver } : {}),
  };
  const [rows, total] = await dataSource.getRepository(LedgerChannelEntity).findAndCount({
    where,
    order: { channelId: 'ASC' },
    take: filter.limit,
    skip: filter.offset,
  });
  return { items: rows.map(recordOf), total, limit: filter.limit, offset: filter.offset };
}

/** One channel, or null when the ledger knows nothing of it. */
export async function findChannel(dataSource: DataSource, channelId: string): Promise<ChannelRecord | null> {
  const row = await dataSource
    .getRepository(LedgerChannelEntity)
    .findOneBy({ channelId: channelId.toLowerCase() });
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
export async function findLatestProof(
  dataSource: DataSource,
  channelId: string,
): Promise<LatestProof | null> {
  const row = await dataSource
    .getRepository(LedgerChannelEntity)
    .findOneBy({ channelId: channelId.toLowerCase() });
  const proof = row?.proofState as
    | {
        balance: string;
        signature: string;
        eventId: string;
        lastAcceptedAt: string;
        chainId: number;
        channelManager: string;
        sender: string;
        receiver: string;
      }
    | null
    | undefined;
  if (!row || !proof) return null;
  return {
    channelId: row.channelId,
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

/** Revenue by route and method, largest first. */
export async function revenueByRoute(dataSource: DataSource | EntityManager) {
  const rows = await dataSource.getRepository(LedgerRevenueByRouteEntity).find();
  return rows
    .map((row) => ({ route: row.route, method: row.method, amount: row.amount, proofs: row.proofs }))
    .sort((a, b) => (b.amount > a.amount ? 1 : b.amount < a.amount ? -1 : a.route.localeCompare(b.route)));
}

/** Revenue by sender, largest first. */
export async function revenueBySender(dataSource: DataSource) {
  const rows = await dataSource.getRepository(LedgerRevenueBySenderEntity).find();
  return rows
    .map((row) => ({ sender: row.sender, amount: row.amount, proofs: row.proofs }))
    .sort((a, b) => (b.amount > a.amount ? 1 : b.amount < a.amount ? -1 : a.sender.localeCompare(b.sender)));
}

/** Revenue by UTC day in [from, to] (inclusive, `YYYY-MM-DD`), oldest first. */
export async function revenueByDay(dataSource: DataSource, range: { from?: string; to?: string } = {}) {
  const query = dataSource
    .getRepository(LedgerRevenueByDayEntity)
    .createQueryBuilder('r')
    .orderBy('r.day', 'ASC');
  if (range.from) query.andWhere('r.day >= :from', { from: range.from });
  if (range.to) query.andWhere('r.day <= :to', { to: range.to });
  const rows = await query.getMany();
  return rows.map((row) => ({ day: row.day, amount: row.amount, proofs: row.proofs }));
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
export async function fundsAtRisk(
  dataSource: DataSource | EntityManager,
): Promise<{ total: bigint; channels: FundsAtRiskEntry[] }> {
  const rows = (await dataSource.query(
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
export async function overDepositTotals(dataSource: DataSource | EntityManager): Promise<OverDepositTotals> {
  const [row] = (await dataSource.query(
    `SELECT count(*)::int AS channels, COALESCE(SUM(balance - deposit), 0)::text AS total
       FROM ledger_channels
      WHERE status <> 'settled' AND balance > deposit`,
  )) as Array<{ channels: number; total: string }>;
  return { channels: row?.channels ?? 0, total: BigInt(row?.total ?? '0') };
}

/** Audit rows, newest consumed first, optionally for one channel or outcome. */
export async function listAudit(
  dataSource: DataSource,
  filter: { channelId?: string; outcome?: 'applied' | 'ignored'; limit: number; offset: number },
): Promise<Page<LedgerAuditEntity>> {
  const [items, total] = await dataSource.getRepository(LedgerAuditEntity).findAndCount({
    where: {
      ...(filter.channelId ? { channelId: filter.channelId.toLowerCase() } : {}),
      ...(filter.outcome ? { outcome: filter.outcome } : {}),
    },
    order: { appliedAt: 'DESC', topic: 'ASC', partition: 'ASC', offset: 'DESC' },
    take: filter.limit,
    skip: filter.offset,
  });
  return { items, total, limit: filter.limit, offset: filter.offset };
}
