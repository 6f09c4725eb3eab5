import {
  decodeEvent,
  encodeEvent,
  isChannelLogEvent,
  type ChannelEvent,
  type ChannelLogEvent,
} from '@microraiden/events';
import { enqueueEvent } from '@microraiden/kafka';
import { withTransaction } from '@microraiden/persistence';
import type { Pool, PoolClient } from 'pg';
import type { BlockRef } from './block-ref';
import type { AcceptedProof } from './dispute-decision';
import type { DisputeOutcome, DisputeStore, DisputeTask, TaskAction } from './dispute-ports';
import type { FollowerStore } from './follower-ports';
import type { SentTransaction } from './transaction-sender';
import { WATCHER_OUTBOX_TABLE } from './watcher-schema';
import type { WithdrawCandidate, WithdrawStore } from './withdrawer';

/** Blocks remembered below the checkpoint to find common ancestors; deeper reorgs re-follow from the start. */
const REMEMBERED_BLOCKS = 4_096;

/** A proof to keep, as consumed from `balance-proof.accepted`. */
export interface ProofToKeep {
  channelId: string;
  balance: bigint;
  signature: string;
  eventId: string;
}

interface TxJson {
  hashes: string[];
  to: string;
  data: string;
  nonce: number;
  gasLimit: string;
  maxFeePerGas: string;
  maxPriorityFeePerGas: string;
  sentAtMs: number;
}

const toJson = (tx: SentTransaction): TxJson => ({
  hashes: [...tx.hashes],
  to: tx.to,
  data: tx.data,
  nonce: tx.nonce,
  gasLimit: tx.gasLimit.toString(),
  maxFeePerGas: tx.fees.maxFeePerGas.toString(),
  maxPriorityFeePerGas: tx.fees.maxPriorityFeePerGas.toString(),
  sentAtMs: tx.sentAtMs,
});

const fromJson = (json: TxJson): SentTransaction => ({
  hashes: json.hashes,
  to: json.to,
  data: json.data,
  nonce: json.nonce,
  gasLimit: BigInt(json.gasLimit),
  fees: { maxFeePerGas: BigInt(json.maxFeePerGas), maxPriorityFeePerGas: BigInt(json.maxPriorityFeePerGas) },
  sentAtMs: json.sentAtMs,
});

/** Where {@link PostgresWatcherStore} queues channel events for Kafka. */
export interface WatcherOutbox {
  /** The topic of every channel event and retraction (CHANNELS_TOPIC). */
  channelsTopic: string;
}

/**
 * The chain-watcher's Postgres state: checkpoint, remembered blocks and recorded events per `scope`
 * (`chainId:channelManager`), the receiver's accepted proofs and the dispute tasks, and the outbox
 * ({@link WATCHER_OUTBOX_TABLE}) of channel events a relay publishes to Kafka. Run {@link migrateWatcherSchema}
 * first.
 */
export class PostgresWatcherStore implements FollowerStore, DisputeStore, WithdrawStore {
  constructor(
    private readonly pool: Pool,
    private readonly scope: string,
    private readonly outbox: WatcherOutbox,
  ) {}

  async checkpoint(): Promise<BlockRef | undefined> {
    const { rows } = await this.pool.query<{ block_number: string; block_hash: string }>(
      'SELECT block_number, block_hash FROM cw_checkpoint WHERE scope = $1',
      [this.scope],
    );
    const row = rows[0];
    return row ? { number: Number(row.block_number), hash: row.block_hash } : undefined;
  }

  async rememberedBlocks(atOrBelow: number): Promise<BlockRef[]> {
    const { rows } = await this.pool.query<{ block_number: string; block_hash: string }>(
      'SELECT block_number, block_hash FROM cw_blocks WHERE scope = $1 AND block_number <= $2 ORDER BY block_number DESC',
      [this.scope, atOrBelow],
    );
    return rows.map((row) => ({ number: Number(row.block_number), hash: row.block_hash }));
  }

  async recordedIds(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await this.pool.query<{ id: string }>(
      'SELECT id FROM cw_published_events WHERE id = ANY($1) AND NOT retracted',
      [ids],
    );
    return new Set(rows.map((row) => row.id));
  }

  async recordedAbove(blockNumber: number): Promise<ChannelLogEvent[]> {
    const { rows } = await this.pool.query<{ payload: string }>(
      `SELECT payload FROM cw_published_events
        WHERE scope = $1 AND block_number > $2 AND NOT retracted ORDER BY block_number, id`,
      [this.scope, blockNumber],
    );
    return rows.map(({ payload }) => {
      const decoded = decodeEvent(Buffer.from(payload, 'utf8'));
      if (!decoded.ok || !isChannelLogEvent(decoded.event))
        throw new Error(`stored event is not a channel log event: ${payload.slice(0, 120)}`);
      return decoded.event;
    });
  }

  async commitStep(step: Parameters<FollowerStore['commitStep']>[0]): Promise<void> {
    await this.transaction(async (tx) => {
      // `published_at` is when the event was recorded and queued; the outbox relay publishes it later.
      for (const event of step.events) {
        await tx.query(
          `INSERT INTO cw_published_events (id, scope, type, channel_id, block_number, block_hash, payload)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (id) DO UPDATE SET retracted = false, published_at = now()`,
          [
            event.id,
            this.scope,
            event.type,
            event.data.channelId,
            event.data.blockNumber,
            event.data.blockHash,
            encodeEvent(event).toString('utf8'),
          ],
        );
      }
      await this.queue(tx, step.events);
      for (const request of step.closeRequests) {
        // A close re-mined after a reorg is a new event: reopen the task with its new values.
        await tx.query(
          `INSERT INTO cw_dispute_tasks (channel_id, close_event_id, sender, close_balance, settle_at, status)
           VALUES ($1, $2, $3, $4, $5, 'pending')
           ON CONFLICT (channel_id) DO UPDATE SET close_event_id = EXCLUDED.close_event_id,
             close_balance = EXCLUDED.close_balance, settle_at = EXCLUDED.settle_at, updated_at = now(),
             status = CASE WHEN cw_dispute_tasks.status = 'cancelled' THEN 'pending' ELSE cw_dispute_tasks.status END
           WHERE cw_dispute_tasks.close_event_id <> EXCLUDED.close_event_id`,
          [
            request.data.channelId,
            request.id,
            request.data.sender,
            request.data.balance.toString(),
            request.data.settleAt.toString(),
          ],
        );
      }
      for (const block of step.blocks) {
        await tx.query(
          `INSERT INTO cw_blocks (scope, block_number, block_hash) VALUES ($1, $2, $3)
           ON CONFLICT (scope, block_number) DO UPDATE SET block_hash = EXCLUDED.block_hash`,
          [this.scope, block.number, block.hash],
        );
      }
      await tx.query('DELETE FROM cw_blocks WHERE scope = $1 AND block_number < $2', [
        this.scope,
        step.checkpoint.number - REMEMBERED_BLOCKS,
      ]);
      await this.saveCheckpoint(tx, step.checkpoint);
    });
  }

  async commitRewind(rewind: Parameters<FollowerStore['commitRewind']>[0]): Promise<void> {
    await this.transaction(async (tx) => {
      await this.queue(tx, rewind.retractions);
      if (rewind.retractions.length > 0)
        await tx.query('UPDATE cw_published_events SET retracted = true WHERE id = ANY($1)', [
          rewind.retractions.map((retraction) => retraction.data.retractedEventId),
        ]);
      await tx.query('DELETE FROM cw_blocks WHERE scope = $1 AND block_number > $2', [
        this.scope,
        rewind.checkpoint?.number ?? -1,
      ]);
      if (rewind.checkpoint) await this.saveCheckpoint(tx, rewind.checkpoint);
      else await tx.query('DELETE FROM cw_checkpoint WHERE scope = $1', [this.scope]);
    });
  }

  /** Keep `proof` if it raises the channel's stored balance; returns whether it did. Idempotent. */
  async keepProof(proof: ProofToKeep): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO cw_balance_proofs (channel_id, balance, signature, event_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (channel_id) DO UPDATE SET balance = EXCLUDED.balance, signature = EXCLUDED.signature,
         event_id = EXCLUDED.event_id, updated_at = now()
       WHERE cw_balance_proofs.balance < EXCLUDED.balance`,
      [proof.channelId.toLowerCase(), proof.balance.toString(), proof.signature.toLowerCase(), proof.eventId],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async withdrawCandidates(threshold: bigint): Promise<WithdrawCandidate[]> {
    const { rows } = await this.pool.query<{
      channel_id: string;
      balance: string;
      signature: string;
      withdraw_tx: TxJson | null;
    }>(
      `SELECT channel_id, balance::text AS balance, signature, withdraw_tx FROM cw_balance_proofs
        WHERE withdraw_tx IS NOT NULL OR (balance > withdrawn AND balance - withdrawn >= $1)
        ORDER BY channel_id`,
      [threshold.toString()],
    );
    return rows.map((row) => ({
      channelId: row.channel_id,
      proof: { balance: BigInt(row.balance), signature: row.signature },
      ...(row.withdraw_tx ? { submission: fromJson(row.withdraw_tx) } : {}),
    }));
  }

  async recordWithdrawal(channelId: string, submission: SentTransaction): Promise<void> {
    await this.pool.query('UPDATE cw_balance_proofs SET withdraw_tx = $2 WHERE channel_id = $1', [
      channelId,
      JSON.stringify(toJson(submission)),
    ]);
  }

  async recordWithdrawn(channelId: string, withdrawn: bigint): Promise<void> {
    await this.pool.query(
      'UPDATE cw_balance_proofs SET withdraw_tx = NULL, withdrawn = GREATEST(withdrawn, $2::numeric) WHERE channel_id = $1',
      [channelId, withdrawn.toString()],
    );
  }

  async latestProof(channelId: string): Promise<AcceptedProof | undefined> {
    const { rows } = await this.pool.query<{ balance: string; signature: string }>(
      'SELECT balance::text AS balance, signature FROM cw_balance_proofs WHERE channel_id = $1',
      [channelId.toLowerCase()],
    );
    const row = rows[0];
    return row ? { balance: BigInt(row.balance), signature: row.signature } : undefined;
  }

  async openTasks(): Promise<DisputeTask[]> {
    const { rows } = await this.pool.query<{
      channel_id: string;
      settle_at: string;
      tx: TxJson | null;
      submitted_balance: string | null;
      action: TaskAction | null;
    }>(
      `SELECT channel_id, settle_at, tx, submitted_balance::text AS submitted_balance, action FROM cw_dispute_tasks
        WHERE status IN ('pending', 'submitted') ORDER BY settle_at, channel_id`,
    );
    return rows.map((row) => ({
      channelId: row.channel_id,
      settleAt: BigInt(row.settle_at),
      ...(row.tx ? { submission: fromJson(row.tx) } : {}),
      ...(row.submitted_balance ? { submittedBalance: BigInt(row.submitted_balance) } : {}),
      ...(row.action ? { action: row.action } : {}),
    }));
  }

  async recordSubmission(
    channelId: string,
    submission: SentTransaction | undefined,
    sent?: { action: TaskAction; balance?: bigint },
  ): Promise<void> {
    await this.pool.query(
      `UPDATE cw_dispute_tasks SET status = $2, tx = $3, action = $4, submitted_balance = $5, updated_at = now()
        WHERE channel_id = $1`,
      [
        channelId,
        submission ? 'submitted' : 'pending',
        submission ? JSON.stringify(toJson(submission)) : null,
        submission ? (sent?.action ?? null) : null,
        submission && sent?.balance !== undefined ? sent.balance.toString() : null,
      ],
    );
  }

  async finish(channelId: string, outcome: DisputeOutcome, detail: string): Promise<void> {
    await this.pool.query(
      'UPDATE cw_dispute_tasks SET status = $2, detail = $3, updated_at = now() WHERE channel_id = $1',
      [channelId, outcome, detail],
    );
  }

  /** Every task's status by channel id (operators, tests). */
  async taskStatuses(): Promise<Map<string, string>> {
    const { rows } = await this.pool.query<{ channel_id: string; status: string }>(
      'SELECT channel_id, status FROM cw_dispute_tasks',
    );
    return new Map(rows.map((row) => [row.channel_id, row.status]));
  }

  /** Queue `events` in the outbox, in order, inside `tx`; one NOTIFY wakes the relay at commit. */
  private async queue(tx: PoolClient, events: readonly ChannelEvent[]): Promise<void> {
    for (const [index, event] of events.entries())
      await enqueueEvent(tx, event, {
        table: WATCHER_OUTBOX_TABLE,
        topic: this.outbox.channelsTopic,
        notify: index === events.length - 1,
      });
  }

  private async saveCheckpoint(tx: PoolClient, checkpoint: BlockRef): Promise<void> {
    await tx.query(
      `INSERT INTO cw_checkpoint (scope, block_number, block_hash) VALUES ($1, $2, $3)
       ON CONFLICT (scope) DO UPDATE SET block_number = EXCLUDED.block_number,
         block_hash = EXCLUDED.block_hash, updated_at = now()`,
      [this.scope, checkpoint.number, checkpoint.hash],
    );
  }

  private transaction(work: (tx: PoolClient) => Promise<void>): Promise<void> {
    return withTransaction(this.pool, work);
  }
}
