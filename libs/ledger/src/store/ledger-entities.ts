import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ChannelStatus } from '../projection/channel-projection';
import { bigintTransformer } from './bigint-transformer';

const amount = { type: 'numeric', precision: 78, scale: 0, transformer: bigintTransformer } as const;

/**
 * A channel row: the queryable view plus the projection it is derived from (`chain_facts`, `proof_state`,
 * `close_signed`).
 */
@Entity({ name: 'ledger_channels' })
export class LedgerChannelEntity {
  @PrimaryColumn({ name: 'channel_id', type: 'text' }) channelId!: string;
  @Column({ type: 'text' }) status!: ChannelStatus;
  @Column({ type: 'text', nullable: true }) sender!: string | null;
  @Column({ type: 'text', nullable: true }) receiver!: string | null;
  @Column({ name: 'chain_id', type: 'integer', nullable: true }) chainId!: number | null;
  @Column({ name: 'channel_manager', type: 'text', nullable: true }) channelManager!: string | null;
  @Column(amount) deposit!: bigint;
  @Column(amount) withdrawn!: bigint;
  @Column(amount) balance!: bigint;
  @Column({ type: 'text', nullable: true }) signature!: string | null;
  @Column({ name: 'proof_count', type: 'integer' }) proofCount!: number;
  @Column({ name: 'last_proof_at', type: 'timestamptz', nullable: true }) lastProofAt!: Date | null;
  @Column({ ...amount, name: 'close_balance', nullable: true }) closeBalance!: bigint | null;
  @Column({ ...amount, name: 'close_signed_balance', nullable: true }) closeSignedBalance!: bigint | null;
  @Column({ name: 'close_signed_at', type: 'timestamptz', nullable: true }) closeSignedAt!: Date | null;
  @Column({ ...amount, name: 'settle_at', nullable: true }) settleAt!: bigint | null;
  @Column({ name: 'settled_at', type: 'timestamptz', nullable: true }) settledAt!: Date | null;
  @Column({ ...amount, name: 'settled_balance', nullable: true }) settledBalance!: bigint | null;
  @Column({ ...amount, name: 'receiver_paid', nullable: true }) receiverPaid!: bigint | null;
  @Column({ ...amount, name: 'sender_refund', nullable: true }) senderRefund!: bigint | null;
  @Column({ name: 'created_block', type: 'bigint', nullable: true }) createdBlock!: string | null;
  @Column({ name: 'chain_facts', type: 'jsonb' }) chainFacts!: unknown;
  @Column({ name: 'proof_state', type: 'jsonb', nullable: true }) proofState!: unknown;
  @Column({ name: 'close_signed', type: 'jsonb', nullable: true }) closeSigned!: unknown;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** Revenue by route and method. */
@Entity({ name: 'ledger_revenue_by_route' })
export class LedgerRevenueByRouteEntity {
  @PrimaryColumn({ type: 'text' }) route!: string;
  @PrimaryColumn({ type: 'text' }) method!: string;
  @Column(amount) amount!: bigint;
  @Column({ type: 'integer' }) proofs!: number;
}

/** Revenue by sender. */
@Entity({ name: 'ledger_revenue_by_sender' })
export class LedgerRevenueBySenderEntity {
  @PrimaryColumn({ type: 'text' }) sender!: string;
  @Column(amount) amount!: bigint;
  @Column({ type: 'integer' }) proofs!: number;
}

/** Revenue by UTC day of acceptance. */
@Entity({ name: 'ledger_revenue_by_day' })
export class LedgerRevenueByDayEntity {
  @PrimaryColumn({ type: 'date' }) day!: string;
  @Column(amount) amount!: bigint;
  @Column({ type: 'integer' }) proofs!: number;
}

/** One row per consumed event (applied or ignored), keyed by where it was read. */
@Entity({ name: 'ledger_audit' })
export class LedgerAuditEntity {
  @PrimaryColumn({ type: 'text' }) topic!: string;
  @PrimaryColumn({ type: 'integer' }) partition!: number;
  @PrimaryColumn({ name: 'offset', type: 'bigint' }) offset!: string;
  @Column({ name: 'event_id', type: 'text' }) eventId!: string;
  @Column({ type: 'integer' }) generation!: number;
  @Column({ type: 'text' }) type!: string;
  @Column({ name: 'channel_id', type: 'text' }) channelId!: string;
  @Column({ type: 'text' }) outcome!: 'applied' | 'ignored';
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ type: 'text', nullable: true }) detail!: string | null;
  @Column({ ...amount, nullable: true }) amount!: bigint | null;
  @Column({ ...amount, nullable: true }) balance!: bigint | null;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt!: Date;
  @Column({ name: 'applied_at', type: 'timestamptz' }) appliedAt!: Date;
}

/** Next offset to read per topic partition, written in the same transaction as the projection. */
@Entity({ name: 'ledger_offsets' })
export class LedgerOffsetEntity {
  @PrimaryColumn({ type: 'text' }) topic!: string;
  @PrimaryColumn({ type: 'integer' }) partition!: number;
  @Column({ name: 'next_offset', type: 'bigint' }) nextOffset!: string;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** Every entity of the ledger's schema. */
export const LEDGER_ENTITIES = [
  LedgerChannelEntity,
  LedgerRevenueByRouteEntity,
  LedgerRevenueBySenderEntity,
  LedgerRevenueByDayEntity,
  LedgerAuditEntity,
  LedgerOffsetEntity,
];
