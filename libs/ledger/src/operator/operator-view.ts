import type { PartitionLag } from '@microraiden/kafka';
import type { ChannelStatus } from '../projection/channel-projection';
import type { OperatorSnapshot } from '../store/operator-snapshot';
import { displayAmount, type DisplayAmount, type TokenUnits } from './token-amount';

/** One channel row of the operator view. */
export interface OperatorChannelRow {
  channelId: string;
  sender: string | null;
  status: ChannelStatus;
  deposit: DisplayAmount;
  /** Balance of the latest accepted proof. */
  balance: DisplayAmount;
  /** What was charged on the channel in total (<= balance; equal on fixed prices): its revenue. */
  chargedBalance: DisplayAmount;
  withdrawn: DisplayAmount;
  /** Accepted but neither withdrawn nor settled (0 once settled). */
  atRisk: DisplayAmount;
  /** Accepted balance above the confirmed deposit: no proof can claim it on chain (a reorged top-up or creation). */
  overDeposit: DisplayAmount;
  /** Balance the sender named when it asked to close (null: no close requested). */
  closeBalance: DisplayAmount | null;
  /** Balance at which the receiver signed a cooperative close (null: never signed). */
  closeSignedBalance: DisplayAmount | null;
  proofCount: number;
  lastProofAt: string | null;
  /** When the ledger last applied an event (proof or chain) to this channel. */
  lastActivityAt: string;
}

/** Revenue of one route and method. */
export interface OperatorRouteRow {
  method: string;
  route: string;
  amount: DisplayAmount;
  proofs: number;
}

/** How far the projection is behind its topics. */
export interface OperatorLag {
  /** False while the lag is unknown (consumer not joined, Kafka not answering): the numbers may be stale. */
  joined: boolean;
  /** Messages not yet projected, over all owned partitions. */
  total: string;
  /** The worst partition's lag. */
  max: string;
  partitions: Array<{
    topic: string;
    partition: number;
    lag: string;
    position: string;
    highWatermark: string;
  }>;
}

/** What the operator page renders: every amount exact, as token units and base units. */
export interface OperatorView {
  generatedAt: string;
  token: TokenUnits;
  /** Sum of every charge (what the gateways charged: a proof's charge or increment, a stream's commits), and how many proofs carried it. */
  acceptedRevenue: DisplayAmount;
  acceptedProofs: number;
  /** Tokens the receiver holds on chain: withdrawn plus paid at settlement. */
  receivedOnChain: DisplayAmount;
  /** Accepted but not yet withdrawn or settled, over unsettled channels. */
  fundsAtRisk: DisplayAmount;
  /** Of that, the accepted balance above confirmed deposits, and on how many unsettled channels. */
  revenueOverDeposit: DisplayAmount;
  channelsOverDeposit: number;
  channelsByStatus: Record<ChannelStatus, number>;
  channelCount: number;
  /** How many channels the page lists (the most recently active ones). */
  channelsShown: number;
  channels: OperatorChannelRow[];
  revenueByRoute: OperatorRouteRow[];
  lag: OperatorLag;
}

/** What {@link buildOperatorView} needs: a snapshot, the consumer's lag (null: unknown), the token, the time. */
export interface OperatorViewInput {
  snapshot: OperatorSnapshot;
  lag: PartitionLag[] | null;
  token: TokenUnits;
  now: Date;
}

/** Build the operator view model from a ledger snapshot; pure, so the page's numbers are unit-testable. */
export function buildOperatorView(input: OperatorViewInput): OperatorView {
  const { snapshot, token } = input;
  const amount = (value: bigint) => displayAmount(value, token);
  const atRisk = new Map(snapshot.fundsAtRisk.channels.map((entry) => [entry.channelId, entry.atRisk]));
  const acceptedRevenue = snapshot.revenueByRoute.reduce((sum, row) => sum + row.amount, 0n);
  const acceptedProofs = snapshot.revenueByRoute.reduce((sum, row) => sum + row.proofs, 0);
  const lags = input.lag ?? [];
  const channelCount = Object.values(snapshot.channelsByStatus).reduce((sum, n) => sum + n, 0);
  return {
    generatedAt: input.now.toISOString(),
    token,
    acceptedRevenue: amount(acceptedRevenue),
    acceptedProofs,
    receivedOnChain: amount(snapshot.receivedOnChain),
    fundsAtRisk: amount(snapshot.fundsAtRisk.total),
    revenueOverDeposit: amount(snapshot.overDeposit.total),
    channelsOverDeposit: snapshot.overDeposit.channels,
    channelsByStatus: { ...snapshot.channelsByStatus },
    channelCount,
    channelsShown: snapshot.channels.length,
    channels: snapshot.channels.map((channel) => ({
      channelId: channel.channelId,
      sender: channel.sender,
      status: channel.status,
      deposit: amount(channel.deposit),
      balance: amount(channel.balance),
      chargedBalance: amount(channel.chargedBalance),
      withdrawn: amount(channel.withdrawn),
      atRisk: amount(atRisk.get(channel.channelId) ?? 0n),
      overDeposit: amount(channel.overDeposit),
      closeBalance: channel.closeBalance === null ? null : amount(channel.closeBalance),
      closeSignedBalance: channel.closeSignedBalance === null ? null : amount(channel.closeSignedBalance),
      proofCount: channel.proofCount,
      lastProofAt: channel.lastProofAt,
      lastActivityAt: channel.updatedAt,
    })),
    revenueByRoute: snapshot.revenueByRoute.map((row) => ({
      method: row.method,
      route: row.route,
      amount: amount(row.amount),
      proofs: row.proofs,
    })),
    lag: {
      joined: input.lag !== null,
      total: lags.reduce((sum, l) => sum + l.lag, 0n).toString(),
      max: lags.reduce((max, l) => (l.lag > max ? l.lag : max), 0n).toString(),
      partitions: lags.map((l) => ({
        topic: l.topic,
        partition: l.partition,
        lag: l.lag.toString(),
        position: l.position.toString(),
        highWatermark: l.highWatermark.toString(),
      })),
    },
  };
}
