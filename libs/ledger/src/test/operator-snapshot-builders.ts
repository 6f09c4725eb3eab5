// Builders for the operator view's unit tests: channel records and snapshots with overridable fields.
import type { PartitionLag } from '@microraiden/kafka';
import { viewOf } from '../projection/channel-view';
import { overDeposit } from '../projection/over-deposit';
import type { ChannelRecord } from '../store/ledger-queries';
import type { OperatorSnapshot } from '../store/operator-snapshot';

/** anvil account 1 (public test address). */
export const A_SENDER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
/** anvil account 2 (public test address). */
export const A_RECEIVER = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

/** A channel id made of one repeated byte. */
export const aChannelIdOf = (byte: string) => `0x${byte.repeat(32)}`;

/** An open channel with a deposit of 1 token and 0.25 accepted; override any field (`overDeposit` follows). */
export function aChannelRecord(overrides: Partial<ChannelRecord> = {}): ChannelRecord {
  const record: Omit<ChannelRecord, 'overDeposit'> & Partial<ChannelRecord> = {
    // Every view field, at its value for a channel nothing is known of: a new column needs no edit here.
    ...viewOf({
      channelId: `0x${'00'.repeat(32)}`,
      chainFacts: [],
      proof: null,
      closeSigned: null,
      updatedAt: '',
    }),
    channelId: aChannelIdOf('ab'),
    status: 'open',
    sender: A_SENDER,
    receiver: A_RECEIVER,
    chainId: 31337,
    channelManager: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    deposit: 10n ** 18n,
    withdrawn: 0n,
    balance: 25n * 10n ** 16n,
    signature: `0x${'11'.repeat(65)}`,
    proofCount: 5,
    lastProofAt: '2026-01-02T03:04:05.000Z',
    closeBalance: null,
    closeSignedBalance: null,
    closeSignedAt: null,
    settleAt: null,
    settledAt: null,
    settledBalance: null,
    receiverPaid: null,
    senderRefund: null,
    createdBlock: 10,
    updatedAt: '2026-01-02T03:04:06.000Z',
    ...overrides,
  };
  return { ...record, overDeposit: overrides.overDeposit ?? overDeposit(record) };
}

/** A snapshot of the given channels with no revenue unless given; counts by status derived from the channels. */
export function anOperatorSnapshot(
  overrides: Partial<OperatorSnapshot> & { channels?: ChannelRecord[] } = {},
): OperatorSnapshot {
  const channels = overrides.channels ?? [aChannelRecord()];
  const channelsByStatus = { pending: 0, open: 0, closing: 0, settled: 0 };
  for (const channel of channels) channelsByStatus[channel.status]++;
  return {
    channels,
    channelsByStatus,
    revenueByRoute: [],
    receivedOnChain: 0n,
    fundsAtRisk: { total: 0n, channels: [] },
    overDeposit: { channels: 0, total: 0n },
    ...overrides,
  };
}

/** A partition `behind` messages behind its high watermark of 100. */
export const aPartitionLag = (partition: number, behind: bigint, topic = 'balance-proofs'): PartitionLag => ({
  topic,
  partition,
  highWatermark: 100n,
  position: 100n - behind,
  lag: behind,
});
