import type { ChannelStatus } from '../projection/channel-projection';
import type { LedgerSql } from './ledger-database';

/** Fleet-wide figures the ledger alone exports (every gateway replica would report the same totals). */
export interface LedgerTotals {
  channelsByStatus: Record<ChannelStatus, number>;
  /** Accepted but neither withdrawn nor settled, over all channels (as {@link fundsAtRisk} totals it). */
  fundsAtRisk: bigint;
  /** Sum of every charge (the operator page's accepted revenue; the accepted increments at fixed prices). */
  acceptedRevenue: bigint;
}

/** Reads {@link LedgerTotals} in two aggregate queries over the projection. */
export async function ledgerTotals(sql: LedgerSql): Promise<LedgerTotals> {
  const rows = (await sql.query(
    `SELECT status, count(*)::int AS channels,
            COALESCE(SUM(balance - withdrawn) FILTER (WHERE status <> 'settled' AND balance > withdrawn), 0)::text
              AS at_risk
       FROM ledger_channels GROUP BY status`,
  )) as Array<{ status: ChannelStatus; channels: number; at_risk: string }>;
  const [revenue] = (await sql.query(
    `SELECT COALESCE(SUM(amount), 0)::text AS amount FROM ledger_revenue_by_route`,
  )) as Array<{ amount: string }>;
  const channelsByStatus: Record<ChannelStatus, number> = { pending: 0, open: 0, closing: 0, settled: 0 };
  let fundsAtRisk = 0n;
  for (const row of rows) {
    channelsByStatus[row.status] = row.channels;
    fundsAtRisk += BigInt(row.at_risk);
  }
  return { channelsByStatus, fundsAtRisk, acceptedRevenue: BigInt(revenue?.amount ?? '0') };
}
