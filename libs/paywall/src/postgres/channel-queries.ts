import type { Address, Hex32 } from '@microraiden/protocol';
import type { Pool } from 'pg';
import type { ChannelState } from '../core/channel-snapshot';

/** A channel as the management API shows it; amounts are bigint here and base-10 strings on the wire. */
export interface ChannelSummary {
  readonly channelId: Hex32;
  readonly sender: Address;
  readonly receiver: Address;
  readonly state: ChannelState;
  readonly confirmed: boolean;
  readonly deposit: bigint;
  readonly withdrawn: bigint;
  readonly acceptedBalance: bigint;
  /** What was charged in total (docs/protocol.md 7.2): at most acceptedBalance, equal to it under fixed prices. */
  readonly chargedBalance: bigint;
  readonly paidRequests: bigint;
  /** Balance of the closing signature the receiver issued, if any. */
  readonly closeSignedBalance: bigint | null;
  readonly settleAt: bigint | null;
  /** The sender's signature of `acceptedBalance` (what the receiver submits on chain). */
  readonly lastSignature: string | null;
  readonly updatedAt: Date;
}

/** A page of channels ordered by id; pass `nextCursor` as `cursor` for the next one. */
export interface ChannelPage {
  readonly channels: readonly ChannelSummary[];
  readonly nextCursor: Hex32 | null;
}

/** Filters of a channel listing. */
export interface ChannelFilter {
  readonly sender?: Address;
  readonly state?: ChannelState;
  readonly cursor?: Hex32;
  readonly limit: number;
}

/** Fleet-wide totals. */
export interface GatewayStats {
  readonly channels: Readonly<Record<ChannelState, number>>;
  readonly paidRequests: bigint;
  /** Sum of charged balances: everything ever charged (= the accepted balances under fixed prices). */
  readonly revenue: bigint;
  /** Accepted but neither withdrawn nor settled yet: what the receiver loses if it fails to collect. */
  readonly fundsAtRisk: bigint;
}

interface SummaryRow {
  channel_id: string;
  sender: string;
  receiver: string;
  state: ChannelState;
  confirmed: boolean;
  deposit: string;
  withdrawn: string;
  accepted_balance: string;
  charged_balance: string;
  paid_requests: string;
  close_signed_balance: string | null;
  settle_at: string | null;
  last_signature: string | null;
  updated_at: Date;
}

const COLUMNS = `channel_id, sender, receiver, state, confirmed, deposit::text AS deposit, withdrawn::text AS withdrawn,
  accepted_balance::text AS accepted_balance, charged_balance::text AS charged_balance,
  paid_requests::text AS paid_requests,
  close_signed_balance::text AS close_signed_balance, settle_at::text AS settle_at, last_signature, updated_at`;

function toSummary(row: SummaryRow): ChannelSummary {
  return {
    channelId: row.channel_id as Hex32,
    sender: row.sender as Address,
    receiver: row.receiver as Address,
    state: row.state,
    confirmed: row.confirmed,
    deposit: BigInt(row.deposit),
    withdrawn: BigInt(row.withdrawn),
    acceptedBalance: BigInt(row.accepted_balance),
    chargedBalance: BigInt(row.charged_balance),
    paidRequests: BigInt(row.paid_requests),
    closeSignedBalance: row.close_signed_balance === null ? null : BigInt(row.close_signed_balance),
    settleAt: row.settle_at === null ? null : BigInt(row.settle_at),
    lastSignature: row.last_signature,
    updatedAt: row.updated_at,
  };
}

/** Read-only queries of the management API over `gateway_channels`. */
export class ChannelQueries {
  constructor(private readonly pool: Pool) {}

  /** One page of channels matching `filter`, ordered by channel id. */
  async list(filter: ChannelFilter): Promise<ChannelPage> {
    const values: unknown[] = [];
    const where: string[] = [];
    if (filter.sender !== undefined) {
      values.push(filter.sender);
      where.push(`sender = $${values.length}`);
    }
    if (filter.state !== undefined) {
      values.push(filter.state);
      where.push(`state = $${values.length}`);
    }
    if (filter.cursor !== undefined) {
      values.push(filter.cursor.toLowerCase());
      where.push(`channel_id > $${values.length}`);
    }
    values.push(filter.limit + 1);
    const { rows } = await this.pool.query<SummaryRow>(
      `SELECT ${COLUMNS} FROM gateway_channels ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY channel_id LIMIT $${values.length}`,
      values,
    );
    const page = rows.slice(0, filter.limit).map(toSummary);
    const more = rows.length > filter.limit;
    return { channels: page, nextCursor: more ? (page[page.length - 1]?.channelId ?? null) : null };
  }

  /** One channel, or undefined. */
  async find(channelId: Hex32): Promise<ChannelSummary | undefined> {
    const { rows } = await this.pool.query<SummaryRow>(
      `SELECT ${COLUMNS} FROM gateway_channels WHERE channel_id = $1`,
      [channelId.toLowerCase()],
    );
    return rows[0] === undefined ? undefined : toSummary(rows[0]);
  }

  /** Totals over every channel. */
  async stats(): Promise<GatewayStats> {
    const { rows } = await this.pool.query<{
      open: string;
      closing: string;
      settled: string;
      paid_requests: string;
      revenue: string;
      at_risk: string;
    }>(
      `SELECT count(*) FILTER (WHERE state = 'open')::text AS open,
              count(*) FILTER (WHERE state = 'closing')::text AS closing,
              count(*) FILTER (WHERE state = 'settled')::text AS settled,
              coalesce(sum(paid_requests), 0)::text AS paid_requests,
              coalesce(sum(charged_balance), 0)::text AS revenue,
              coalesce(sum(greatest(accepted_balance - withdrawn, 0)) FILTER (WHERE state <> 'settled'), 0)::text
                AS at_risk
       FROM gateway_channels`,
    );
    const row = rows[0]!;
    return {
      channels: { open: Number(row.open), closing: Number(row.closing), settled: Number(row.settled) },
      paidRequests: BigInt(row.paid_requests),
      revenue: BigInt(row.revenue),
      fundsAtRisk: BigInt(row.at_risk),
    };
  }
}
