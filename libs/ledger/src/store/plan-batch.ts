import type { MicroraidenEvent } from '@microraiden/events';
import type { ChannelProjection } from '../projection/channel-projection';
import { viewOf } from '../projection/channel-view';
import { evolve, type Evolution, type RevenueEntry } from '../projection/evolve-channel';
import { rowOf } from './channel-row';

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

/** A row of `ledger_audit`, as its COPY writes it (amounts and offsets base-10 text, instants ISO). */
export interface AuditRow {
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

/** Rows to add to the three revenue tables, each summed per key and in key order (replicas lock rows alike). */
export interface RevenueRows {
  byRoute: Array<{ route: string; method: string; amount: string; proofs: number }>;
  bySender: Array<{ sender: string; amount: string; proofs: number }>;
  byDay: Array<{ day: string; amount: string; proofs: number }>;
}

/** What the batch reads before it decides: the events past the stored offset, and what they name. */
export interface BatchScope {
  fresh: ProjectionBatch['events'];
  /** Channels the fresh events name (lowercase, sorted: the order rows are locked in). */
  channelIds: string[];
  /** Ids of fresh events the audit trail dedupes (off-chain facts: the projection keeps only the latest). */
  proofIds: string[];
}

/** Everything one batch writes, decided from what it read. */
export interface BatchPlan {
  counts: BatchResult['counts'];
  /** Rows for the channel UPDATE (view columns and projection), in channel id order. */
  updates: Array<Record<string, unknown>>;
  /** Placeholders of channels nothing was applied to (e.g. a top-up of an unknown channel): deleted. */
  emptyPlaceholders: string[];
  audit: AuditRow[];
  revenue: RevenueRows;
}

// The projection keeps only the latest off-chain fact per channel; the audit trail knows every applied id, so an
// older one published again is a duplicate (no trace), not an ignored event.
const isDedupedById = (event: MicroraidenEvent) =>
  event.type === 'balance-proof.accepted' ||
  event.type === 'balance-proof.charged' ||
  event.type === 'balance-proof.close-signed';

/** Pure: the events at or past the stored offset, and the channels and ids the shell must read for them. */
export function scopeOf(batch: ProjectionBatch, storedOffset: bigint): BatchScope {
  const fresh = batch.events.filter(({ offset }) => offset >= storedOffset);
  return {
    fresh,
    channelIds: [...new Set(fresh.map(({ event }) => event.data.channelId.toLowerCase()))].sort(),
    proofIds: fresh.filter(({ event }) => isDedupedById(event)).map(({ event }) => event.id),
  };
}

/** What {@link planBatch} decides from. */
export interface PlanInput {
  batch: ProjectionBatch;
  storedOffset: bigint;
  /** The stored projection of every channel of the scope; undefined for a channel nothing is known of. */
  channels: ReadonlyMap<string, ChannelProjection | undefined>;
  /** Ids among the scope's `proofIds` the audit trail already records as applied. */
  alreadyApplied: ReadonlySet<string>;
  now: Date;
}

/**
 * Pure: evolve every channel through the batch's events and decide the writes. Events below the stored offset and
 * off-chain facts already applied are duplicates (counted, not recorded); the rest are applied or ignored by
 * `evolve`, each with an audit row.
 */
export function planBatch(input: PlanInput): BatchPlan {
  const { batch, now } = input;
  const counter = outcomeCounter();
  const channels = new Map(input.channels);
  const audit: AuditRow[] = [];
  const revenue: RevenueEntry[] = [];
  const touched = new Set<string>();
  const appliedNow = new Set<string>();
  const appliedAt = now.toISOString();
  for (const { event, offset } of batch.events) {
    const applied = input.alreadyApplied.has(event.id) || appliedNow.has(event.id);
    if (offset < input.storedOffset || (isDedupedById(event) && applied)) {
      counter.add(event.type, 'duplicate');
      continue;
    }
    const channelId = event.data.channelId.toLowerCase();
    const evolution = evolve(channels.get(channelId), event, now);
    counter.add(event.type, evolution.outcome);
    if (evolution.outcome === 'duplicate') continue;
    audit.push(auditRowOf(batch, { event, offset }, channelId, evolution, appliedAt));
    if (evolution.outcome === 'ignored') continue;
    channels.set(channelId, evolution.state);
    touched.add(channelId);
    appliedNow.add(event.id);
    if (evolution.revenue) revenue.push(evolution.revenue);
  }
  const updates = [...touched].sort().map((id) => {
    const channel = channels.get(id)!;
    return rowOf(channel, viewOf(channel));
  });
  const emptyPlaceholders = [...input.channels.keys()].filter(
    (id) => !touched.has(id) && channels.get(id) === undefined,
  );
  return { counts: counter.counts(), updates, emptyPlaceholders, audit, revenue: revenueRowsOf(revenue) };
}

function outcomeCounter() {
  const counts = new Map<string, BatchResult['counts'][number]>();
  return {
    add(type: string, outcome: 'applied' | 'ignored' | 'duplicate') {
      const key = `${type}:${outcome}`;
      const entry = counts.get(key) ?? { type, outcome, count: 0 };
      entry.count += 1;
      counts.set(key, entry);
    },
    counts: () => [...counts.values()],
  };
}

function auditRowOf(
  batch: ProjectionBatch,
  { event, offset }: ProjectionBatch['events'][number],
  channelId: string,
  evolution: Exclude<Evolution, { outcome: 'duplicate' }>,
  appliedAt: string,
): AuditRow {
  // One literal of one shape for both outcomes (no spread): built once per consumed event.
  const ignored = evolution.outcome === 'ignored';
  return {
    topic: batch.topic,
    partition: batch.partition,
    offset: offset.toString(),
    event_id: event.id,
    generation: ignored ? 0 : evolution.generation,
    type: event.type,
    channel_id: channelId,
    outcome: evolution.outcome,
    reason: ignored ? evolution.reason : null,
    detail: ignored ? evolution.detail : null,
    amount: ignored ? null : (evolution.amount?.toString() ?? null),
    balance: ignored ? null : (evolution.balance?.toString() ?? null),
    occurred_at: event.occurredAt,
    applied_at: appliedAt,
  };
}

/** Sum revenue entries per key, in key order. */
function sumBy(entries: RevenueEntry[], key: (e: RevenueEntry) => string) {
  const totals = new Map<string, { amount: bigint; proofs: number; entry: RevenueEntry }>();
  for (const entry of entries) {
    const k = key(entry);
    const total = totals.get(k) ?? { amount: 0n, proofs: 0, entry };
    total.amount += entry.amount;
    total.proofs += entry.proofs;
    totals.set(k, total);
  }
  return [...totals.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
}

/** Pure: the revenue tables' increments of a batch. */
export function revenueRowsOf(entries: RevenueEntry[]): RevenueRows {
  return {
    byRoute: sumBy(entries, (e) => `${e.route}\u0000${e.method}`).map((t) => ({
      route: t.entry.route,
      method: t.entry.method,
      amount: t.amount.toString(),
      proofs: t.proofs,
    })),
    bySender: sumBy(entries, (e) => e.sender).map((t) => ({
      sender: t.entry.sender,
      amount: t.amount.toString(),
      proofs: t.proofs,
    })),
    byDay: sumBy(entries, (e) => e.day).map((t) => ({
      day: t.entry.day,
      amount: t.amount.toString(),
      proofs: t.proofs,
    })),
  };
}
