import type { ChannelStatus } from '../projection/channel-projection';
import type { LedgerDatabase } from './ledger-database';
import {
  CHANNEL_SELECT,
  fundsAtRisk,
  overDepositTotals,
  recordOf,
  revenueByRoute,
  type ChannelRecord,
  type FundsAtRiskEntry,
  type OverDepositTotals,
} from './ledger-queries';

/** Revenue of one route and method: the sum of the balance increments accepted for it. */
export interface RouteRevenue {
  route: string;
  method: string;
  amount: bigint;
  proofs: number;
}

/** Everything the operator view shows, read in one snapshot so the numbers agree with each other. */
export interface OperatorSnapshot {
  /** Channels, most recently changed first, at most the requested limit. */
  channels: ChannelRecord[];
  /** Channels per status (all of them, not only the listed ones). */
  channelsByStatus: Record<ChannelStatus, number>;
  revenueByRoute: RouteRevenue[];
  /** Tokens the receiver holds on chain: withdrawn plus paid out at settlement, over all channels. */
  receivedOnChain: bigint;
  fundsAtRisk: { total: bigint; channels: FundsAtRiskEntry[] };
  /** Unsettled channels whose accepted balance exceeds the confirmed deposit (a reorged top-up or creation). */
  overDeposit: OverDepositTotals;
}

/** Read the operator view's data in one REPEATABLE READ transaction (a batch committing meanwhile is all or nothing). */
export async function loadOperatorSnapshot(
  database: LedgerDatabase,
  options: { channelLimit: number },
): Promise<OperatorSnapshot> {
  return database.transaction(
    async (manager) => {
      const rows = await manager.query(
        `SELECT ${CHANNEL_SELECT} FROM ledger_channels ORDER BY updated_at DESC, channel_id LIMIT $1`,
        [options.channelLimit],
      );
      const counts = (await manager.query(
        `SELECT status, count(*)::int AS count FROM ledger_channels GROUP BY status`,
      )) as Array<{ status: ChannelStatus; count: number }>;
      const channelsByStatus: Record<ChannelStatus, number> = { pending: 0, open: 0, closing: 0, settled: 0 };
      for (const row of counts) channelsByStatus[row.status] = row.count;
      const [received] = (await manager.query(
        `SELECT COALESCE(SUM(withdrawn + COALESCE(receiver_paid, 0)), 0)::text AS amount FROM ledger_channels`,
      )) as Array<{ amount: string }>;
      return {
        channels: rows.map(recordOf),
        channelsByStatus,
        revenueByRoute: await revenueByRoute(manager),
        receivedOnChain: BigInt(received?.amount ?? '0'),
        fundsAtRisk: await fundsAtRisk(manager),
        overDeposit: await overDepositTotals(manager),
      };
    },
    { repeatableRead: true },
  );
}
