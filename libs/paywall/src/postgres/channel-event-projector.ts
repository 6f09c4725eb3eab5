import {
  decodeEvent,
  encodeEvent,
  isChannelEvent,
  isChannelLogEvent,
  type ChannelLogEvent,
  type MicroraidenEvent,
} from '@microraiden/events';
import { withTransaction } from '@microraiden/persistence';
import { sameAddress, type Address } from '@microraiden/protocol';
import type { Pool, PoolClient } from 'pg';
import { projectChannel } from '../core/channel-projection';

/** What applying one event did. */
export type ProjectionOutcome = 'applied' | 'undone' | 'duplicate' | 'foreign' | 'ignored';

/** The deployment whose channels this gateway follows; events of other contracts or chains are ignored. */
export interface ProjectedDeployment {
  readonly chainId: number;
  readonly channelManager: Address;
}

/**
 * Projects `microraiden.channels.v1` into `gateway_channels`, idempotently (libs/events README's rule): every
 * chain event is stored once with an `applied` flag; a retraction clears the flag; the channel's chain facts are
 * then recomputed from the events still applied. Deposits therefore only grow while events are applied, replays
 * change nothing, and a retraction undoes exactly its event. The gateway's own columns (accepted balance,
 * signature, closing signature) are never touched here.
 */
export class ChannelEventProjector {
  constructor(
    private readonly pool: Pool,
    private readonly deployment: ProjectedDeployment,
  ) {}

  /** Applies one consumed event in its own transaction. */
  async apply(event: MicroraidenEvent): Promise<ProjectionOutcome> {
    if (!isChannelEvent(event)) return 'ignored';
    if (
      event.data.chainId !== this.deployment.chainId ||
      !sameAddress(event.data.channelManager, this.deployment.channelManager)
    ) {
      return 'foreign';
    }
    const changed = await withTransaction(this.pool, async (client) => {
      // One channel's events are projected one transaction at a time, even across a consumer rebalance. Its own
      // key, not advisoryLockKeySql: old replicas hold this one (libs/persistence README, advisory locks).
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [event.data.channelId]);
      const marked =
        event.type === 'channel.event-retracted'
          ? await this.unmark(client, event.data.retractedEventId)
          : await this.mark(client, event);
      if (marked) await this.recompute(client, event.data.channelId);
      return marked;
    });
    if (!changed) return 'duplicate';
    return event.type === 'channel.event-retracted' ? 'undone' : 'applied';
  }

  private async mark(client: PoolClient, event: ChannelLogEvent): Promise<boolean> {
    const { rowCount } = await client.query(
      `INSERT INTO gateway_channel_events (event_id, channel_id, type, block_number, log_index, payload, applied)
       VALUES ($1, $2, $3, $4, $5, $6, true)
       ON CONFLICT (event_id) DO UPDATE SET applied = true, updated_at = now()
       WHERE NOT gateway_channel_events.applied`,
      [
        event.id.toLowerCase(),
        event.data.channelId.toLowerCase(),
        event.type,
        event.data.blockNumber,
        event.data.logIndex,
        encodeEvent(event),
      ],
    );
    return (rowCount ?? 0) > 0;
  }

  private async unmark(client: PoolClient, eventId: string): Promise<boolean> {
    const { rowCount } = await client.query(
      `UPDATE gateway_channel_events SET applied = false, updated_at = now() WHERE event_id = $1 AND applied`,
      [eventId.toLowerCase()],
    );
    return (rowCount ?? 0) > 0;
  }

  private async recompute(client: PoolClient, channelId: string): Promise<void> {
    const { rows } = await client.query<{ payload: Buffer }>(
      'SELECT payload FROM gateway_channel_events WHERE channel_id = $1 AND applied',
      [channelId.toLowerCase()],
    );
    const events: ChannelLogEvent[] = [];
    for (const row of rows) {
      const decoded = decodeEvent(row.payload);
      // Stored by this class after a successful encode, so it always decodes; a failure is a bug worth a retry.
      if (!decoded.ok) throw new Error(`stored channel event does not decode: ${decoded.error.message}`);
      if (isChannelLogEvent(decoded.event)) events.push(decoded.event);
    }
    const facts = projectChannel(events);
    if (facts === undefined) {
      // Nothing applied any more (its creation was retracted): keep the row and what was accepted on it,
      // but stop accepting until the creation is seen again.
      await client.query(
        `UPDATE gateway_channels SET confirmed = false, updated_at = now() WHERE channel_id = $1`,
        [channelId.toLowerCase()],
      );
      return;
    }
    await client.query(
      `INSERT INTO gateway_channels AS c
         (channel_id, sender, receiver, deposit, withdrawn, state, confirmed, settle_at, signer)
       VALUES ($1, $2, $3, $4::numeric, $5::numeric, $6, $7, $8::numeric, $9)
       ON CONFLICT (channel_id) DO UPDATE SET
         sender = EXCLUDED.sender, receiver = EXCLUDED.receiver, deposit = EXCLUDED.deposit, signer = EXCLUDED.signer,
         withdrawn = EXCLUDED.withdrawn, confirmed = EXCLUDED.confirmed, settle_at = EXCLUDED.settle_at,
         state = CASE WHEN EXCLUDED.state = 'open' AND c.close_signed_balance IS NOT NULL THEN 'closing'
                      ELSE EXCLUDED.state END,
         updated_at = now()`,
      [
        channelId.toLowerCase(),
        facts.sender,
        facts.receiver,
        facts.deposit.toString(),
        facts.withdrawn.toString(),
        facts.chainState,
        facts.confirmed,
        facts.settleAt === null ? null : facts.settleAt.toString(),
        facts.signer,
      ],
    );
  }
}
