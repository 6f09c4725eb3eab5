import type { MicroraidenEvent } from '@microraiden/events';
import type { DataSource, EntityManager } from 'typeorm';
import { isEmptyChannel, type ChannelProjection } from '../projection/channel-projection';
import { viewOf } from '../projection/channel-view';
import { evolve, type RevenueEntry } from '../projection/evolve-channel';
import { CHANNEL_RECORD_COLUMNS, projectionFromRow, rowOf, type StoredChannelRow } from './channel-row';
import { LedgerStoreError } from './ledger-store-error';

/** Consecutive events of one topic partition, as the Kafka consumer hands them over. */
export interface ProjectionBatch {
  topic: string;
  partition: number;
  events: ReadonlyArray<{ event: MicroraidenEvent; offset: bigint }>;
  /** Offset after the last message the batch covers. */
  nextOffset: bigint;
}

/** What one batch did, for metrics. */
export interface BatchResult {
  /** Events applied / ignored (recorded) / skipped as duplicates or already-applied offsets, by event type. */
  counts: Array<{ type: string; outcome: 'applied' | 'ignored' | 'duplicate'; count: number }>;
}

interface AuditRecord {
  topic: string;
  partition: number;
  offset: string;
  event_id: string;
  generation: number;
  type: string;
  channel_id: string;
  outcome: 'applied' | 'ignored';
  reason: string | null;
  detail: string | null;
  amount: string | null;
  balance: string | null;
  occurred_at: string;
  applied_at: string;
}

/**
 * Apply a batch in one transaction: the projection rows, revenue, audit trail and the partition's next offset
 * commit together, so a redelivered batch (offset below the stored one) or a re-published event (id already
 * applied) changes nothing. Channel rows are locked in id order so concurrent partitions cannot deadlock.
 */
export async function applyBatch(
  dataSource: DataSource,
  batch: ProjectionBatch,
  now: Date,
): Promise<BatchResult> {
  return dataSource.transaction((manager) => applyInTransaction(manager, batch, now));
}

async function applyInTransaction(
  manager: EntityManager,
  batch: ProjectionBatch,
  now: Date,
): Promise<BatchResult> {
  const counts = new Map<string, BatchResult['counts'][number]>();
  const count = (type: string, outcome: 'applied' | 'ignored' | 'duplicate') => {
    const key = `${type}:${outcome}`;
    const entry = counts.get(key) ?? { type, outcome, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  };

  await manager.query(
    `INSERT INTO ledger_offsets (topic, partition, next_offset) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING`,
    [batch.topic, batch.partition],
  );
  const [stored] = (await manager.query(
    `SELECT next_offset FROM ledger_offsets WHERE topic = $1 AND partition = $2 FOR UPDATE`,
    [batch.topic, batch.partition],
  )) as Array<{ next_offset: string }>;
  const from = BigInt(stored!.next_offset);
  const fresh = batch.events.filter(({ event, offset }) => {
    if (offset >= from) return true;
    count(event.type, 'duplicate');
    return false;
  });

  if (fresh.length > 0) {
    // The projection keeps only the latest off-chain fact per channel; the audit trail knows every applied id,
    // so an older one published again is a duplicate (no trace), not an ignored event.
    const isDedupedById = (event: MicroraidenEvent) =>
      event.type === 'balance-proof.accepted' || event.type === 'balance-proof.close-signed';
    const proofIds = fresh.filter(({ event }) => isDedupedById(event)).map(({ event }) => event.id);
    const alreadyApplied = new Set(
      proofIds.length === 0
        ? []
        : (
            (await manager.query(
              `SELECT event_id FROM ledger_audit WHERE event_id = ANY($1::text[]) AND outcome = 'applied'`,
              [proofIds],
            )) as Array<{ event_id: string }>
          ).map((row) => row.event_id),
    );
    const channelIds = [...new Set(fresh.map(({ event }) => event.data.channelId.toLowerCase()))].sort();
    // Insert placeholders first so a channel seen for the first time is locked too (else two partitions could
    // both start it from nothing and one would overwrite the other).
    await manager.query(
      `INSERT INTO ledger_channels (channel_id) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT DO NOTHING`,
      [channelIds],
    );
    const rows = (await manager.query(
      `SELECT channel_id, chain_facts, proof_state, close_signed, updated_at FROM ledger_channels
        WHERE channel_id = ANY($1::text[]) ORDER BY channel_id FOR UPDATE`,
      [channelIds],
    )) as StoredChannelRow[];
    const channels = new Map<string, ChannelProjection | undefined>();
    for (const row of rows) {
      const projection = projectionFromRow(row);
      channels.set(row.channel_id, isEmptyChannel(projection) ? undefined : projection);
    }

    const audit: AuditRecord[] = [];
    const revenue: RevenueEntry[] = [];
    const touched = new Set<string>();
    const appliedNow = new Set<string>();
    for (const { event, offset } of fresh) {
      const channelId = event.data.channelId.toLowerCase();
      if (isDedupedById(event) && (alreadyApplied.has(event.id) || appliedNow.has(event.id))) {
        count(event.type, 'duplicate');
        continue;
      }
      const evolution = evolve(channels.get(channelId), event, now);
      count(event.type, evolution.outcome);
      if (evolution.outcome === 'duplicate') continue;
      const base = {
        topic: batch.topic,
        partition: batch.partition,
        offset: offset.toString(),
        event_id: event.id,
        type: event.type,
        channel_id: channelId,
        occurred_at: event.occurredAt,
        applied_at: now.toISOString(),
      };
      if (evolution.outcome === 'ignored') {
        audit.push({
          ...base,
          generation: 0,
          outcome: 'ignored',
          reason: evolution.reason,
          detail: evolution.detail,
          amount: null,
          balance: null,
        });
        continue;
      }
      channels.set(channelId, evolution.state);
      touched.add(channelId);
      appliedNow.add(event.id);
      if (evolution.revenue) revenue.push(evolution.revenue);
      audit.push({
        ...base,
        generation: evolution.generation,
        outcome: 'applied',
        reason: null,
        detail: null,
        amount: evolution.amount?.toString() ?? null,
        balance: evolution.balance?.toString() ?? null,
      });
    }

    const updates = [...touched].sort().map((id) => {
      const channel = channels.get(id)!;
      return rowOf(channel, viewOf(channel));
    });
    if (updates.length > 0)
      await manager.query(
        `UPDATE ledger_channels c SET status = x.status, sender = x.sender, receiver = x.receiver,
           chain_id = x.chain_id, channel_manager = x.channel_manager, deposit = x.deposit, withdrawn = x.withdrawn,
           balance = x.balance, signature = x.signature, proof_count = x.proof_count, last_proof_at = x.last_proof_at,
           close_balance = x.close_balance, close_signed_balance = x.close_signed_balance,
           close_signed_at = x.close_signed_at, settle_at = x.settle_at, settled_at = x.settled_at,
           settled_balance = x.settled_balance, receiver_paid = x.receiver_paid, sender_refund = x.sender_refund,
           created_block = x.created_block, chain_facts = x.chain_facts, proof_state = x.proof_state,
           close_signed = x.close_signed, updated_at = x.updated_at
         FROM jsonb_to_recordset($1::jsonb) AS x(${CHANNEL_RECORD_COLUMNS})
         WHERE c.channel_id = x.channel_id`,
        [JSON.stringify(updates)],
      );
    // Placeholders of channels nothing was applied to (e.g. a top-up of an unknown channel) do not stay behind.
    const untouchedEmpty = channelIds.filter((id) => !touched.has(id) && channels.get(id) === undefined);
    if (untouchedEmpty.length > 0)
      await manager.query(
        `DELETE FROM ledger_channels WHERE channel_id = ANY($1::text[]) AND chain_facts = '[]'::jsonb
           AND proof_state IS NULL AND close_signed IS NULL`,
        [untouchedEmpty],
      );
    await insertAudit(manager, audit);
    await addRevenue(manager, revenue);
  }

  await manager.query(
    `UPDATE ledger_offsets SET next_offset = GREATEST(next_offset, $3), updated_at = now()
      WHERE topic = $1 AND partition = $2`,
    [batch.topic, batch.partition, batch.nextOffset.toString()],
  );
  return { counts: [...counts.values()] };
}

async function insertAudit(manager: EntityManager, audit: AuditRecord[]): Promise<void> {
  if (audit.length === 0) return;
  try {
    await manager.query(
      `INSERT INTO ledger_audit (topic, partition, "offset", event_id, generation, type, channel_id, outcome, reason,
         detail, amount, balance, occurred_at, applied_at)
       SELECT topic, partition, "offset", event_id, generation, type, channel_id, outcome, reason, detail, amount,
         balance, occurred_at, applied_at
       FROM jsonb_to_recordset($1::jsonb) AS x(topic text, partition integer, "offset" bigint, event_id text,
         generation integer, type text, channel_id text, outcome text, reason text, detail text, amount numeric,
         balance numeric, occurred_at timestamptz, applied_at timestamptz)`,
      [JSON.stringify(audit)],
    );
  } catch (err) {
    if ((err as { code?: string }).code === '23505')
      throw new LedgerStoreError(
        'LEDGER_DUPLICATE_APPLICATION',
        'an event of this batch was already applied (audit trail unique guard)',
        { constraint: String((err as { constraint?: string }).constraint ?? '') },
        { cause: err },
      );
    throw err;
  }
}

/** Add revenue in key order (replicas upserting the same rows then lock them in the same order). */
async function addRevenue(manager: EntityManager, entries: RevenueEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const sum = (key: (e: RevenueEntry) => string) => {
    const totals = new Map<string, { amount: bigint; proofs: number; entry: RevenueEntry }>();
    for (const entry of entries) {
      const k = key(entry);
      const total = totals.get(k) ?? { amount: 0n, proofs: 0, entry };
      total.amount += entry.amount;
      total.proofs += 1;
      totals.set(k, total);
    }
    return [...totals.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
  };
  const json = (rows: object[]) => JSON.stringify(rows);
  await manager.query(
    `INSERT INTO ledger_revenue_by_route (route, method, amount, proofs)
     SELECT route, method, amount, proofs FROM jsonb_to_recordset($1::jsonb) AS x(route text, method text, amount numeric, proofs integer)
     ON CONFLICT (route, method) DO UPDATE SET amount = ledger_revenue_by_route.amount + excluded.amount,
       proofs = ledger_revenue_by_route.proofs + excluded.proofs`,
    [
      json(
        sum((e) => `${e.route}\u0000${e.method}`).map((t) => ({
          route: t.entry.route,
          method: t.entry.method,
          amount: t.amount.toString(),
          proofs: t.proofs,
        })),
      ),
    ],
  );
  await manager.query(
    `INSERT INTO ledger_revenue_by_sender (sender, amount, proofs)
     SELECT sender, amount, proofs FROM jsonb_to_recordset($1::jsonb) AS x(sender text, amount numeric, proofs integer)
     ON CONFLICT (sender) DO UPDATE SET amount = ledger_revenue_by_sender.amount + excluded.amount,
       proofs = ledger_revenue_by_sender.proofs + excluded.proofs`,
    [
      json(
        sum((e) => e.sender).map((t) => ({
          sender: t.entry.sender,
          amount: t.amount.toString(),
          proofs: t.proofs,
        })),
      ),
    ],
  );
  await manager.query(
    `INSERT INTO ledger_revenue_by_day (day, amount, proofs)
     SELECT day, amount, proofs FROM jsonb_to_recordset($1::jsonb) AS x(day date, amount numeric, proofs integer)
     ON CONFLICT (day) DO UPDATE SET amount = ledger_revenue_by_day.amount + excluded.amount,
       proofs = ledger_revenue_by_day.proofs + excluded.proofs`,
    [
      json(
        sum((e) => e.day).map((t) => ({ day: t.entry.day, amount: t.amount.toString(), proofs: t.proofs })),
      ),
    ],
  );
}

/** Where to resume each partition: the stored next offset, or 0 (the beginning) when none is stored. */
export async function loadStoredOffsets(
  dataSource: DataSource,
  partitions: ReadonlyArray<{ topic: string; partition: number }>,
): Promise<Array<{ topic: string; partition: number; offset: bigint }>> {
  if (partitions.length === 0) return [];
  const rows = (await dataSource.query(
    `SELECT topic, partition, next_offset FROM ledger_offsets WHERE topic = ANY($1::text[])`,
    [[...new Set(partitions.map((p) => p.topic))]],
  )) as Array<{ topic: string; partition: number; next_offset: string }>;
  const stored = new Map(rows.map((row) => [`${row.topic}:${row.partition}`, BigInt(row.next_offset)]));
  return partitions.map(({ topic, partition }) => ({
    topic,
    partition,
    offset: stored.get(`${topic}:${partition}`) ?? 0n,
  }));
}

/** Delete the whole projection, offsets included, so the next consumer replays every topic from offset 0. */
export async function dropProjection(dataSource: DataSource): Promise<void> {
  await dataSource.query(
    `TRUNCATE ledger_channels, ledger_revenue_by_route, ledger_revenue_by_sender, ledger_revenue_by_day,
       ledger_audit, ledger_offsets`,
  );
}
