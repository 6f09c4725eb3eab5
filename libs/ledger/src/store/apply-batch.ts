import { isEmptyChannel, type ChannelProjection } from '../projection/channel-projection';
import { CHANNEL_RECORD_TYPES, projectionFromRow, type StoredChannelRow } from './channel-row';
import { copyField } from './copy-from';
import type { LedgerDatabase, LedgerSql } from './ledger-database';
import { LedgerStoreError } from './ledger-store-error';
import {
  planBatch,
  scopeOf,
  type AuditRow,
  type BatchPlan,
  type BatchResult,
  type ProjectionBatch,
  type RevenueRows,
} from './plan-batch';
import { columnArrays, unnestFrom } from './unnest-columns';

export type { BatchResult, ProjectionBatch } from './plan-batch';

/**
 * Apply a batch in one transaction: the projection rows, revenue, audit trail and the partition's next offset
 * commit together, so a redelivered batch (offset below the stored one) or a re-published event (id already
 * applied) changes nothing. The shell reads (stored offset, channel rows, applied ids), `planBatch` decides, the
 * shell writes. Channel rows are locked in id order so concurrent partitions cannot deadlock.
 */
export async function applyBatch(
  database: LedgerDatabase,
  batch: ProjectionBatch,
  now: Date,
): Promise<BatchResult> {
  return database.transaction(async (tx) => {
    const storedOffset = await lockStoredOffset(tx, batch);
    const scope = scopeOf(batch, storedOffset);
    const fresh = scope.fresh.length > 0;
    const plan = planBatch({
      batch,
      storedOffset,
      channels: fresh ? await lockChannels(tx, scope.channelIds) : new Map(),
      alreadyApplied: fresh ? await appliedIds(tx, scope.proofIds) : new Set(),
      now,
    });
    if (fresh) await writePlan(tx, plan);
    await tx.query(
      `UPDATE ledger_offsets SET next_offset = GREATEST(next_offset, $3), updated_at = now()
        WHERE topic = $1 AND partition = $2`,
      [batch.topic, batch.partition, batch.nextOffset.toString()],
    );
    return { counts: plan.counts };
  });
}

/** The partition's stored next offset, its row locked (created at 0 the first time): one round trip. */
async function lockStoredOffset(tx: LedgerSql, batch: ProjectionBatch): Promise<bigint> {
  // The no-op DO UPDATE takes the row lock (as SELECT ... FOR UPDATE did) and RETURNING reads the stored value.
  const [stored] = await tx.query<{ next_offset: string }>(
    `INSERT INTO ledger_offsets (topic, partition, next_offset) VALUES ($1, $2, 0)
     ON CONFLICT (topic, partition) DO UPDATE SET next_offset = ledger_offsets.next_offset
     RETURNING next_offset`,
    [batch.topic, batch.partition],
  );
  return BigInt(stored!.next_offset);
}

/** Ids the audit trail records as applied. */
async function appliedIds(tx: LedgerSql, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  // One comma-separated text instead of a text[] parameter: event ids are hex (no comma to escape), and pg would
  // quote and escape every element of an array, one per consumed proof.
  const rows = await tx.query<{ event_id: string }>(
    `SELECT event_id FROM ledger_audit WHERE event_id = ANY(string_to_array($1, ',')) AND outcome = 'applied'`,
    [ids.join(',')],
  );
  return new Set(rows.map((row) => row.event_id));
}

/** The channels' stored projections, their rows locked in id order; undefined for a channel nothing is known of. */
async function lockChannels(
  tx: LedgerSql,
  channelIds: string[],
): Promise<Map<string, ChannelProjection | undefined>> {
  // Insert placeholders first so a channel seen for the first time is locked too (else two partitions could both
  // start it from nothing and one would overwrite the other).
  await tx.query(
    `INSERT INTO ledger_channels (channel_id) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT DO NOTHING`,
    [channelIds],
  );
  const rows = await tx.query<StoredChannelRow>(
    `SELECT channel_id, chain_facts, proof_state, close_signed, updated_at FROM ledger_channels
      WHERE channel_id = ANY($1::text[]) ORDER BY channel_id FOR UPDATE`,
    [channelIds],
  );
  const channels = new Map<string, ChannelProjection | undefined>();
  for (const row of rows) {
    const projection = projectionFromRow(row);
    channels.set(row.channel_id, isEmptyChannel(projection) ? undefined : projection);
  }
  return channels;
}

// Every column but the key, from the column table: a new column is written without touching this file.
const CHANNEL_UPDATE_SET = CHANNEL_RECORD_TYPES.filter(([column]) => column !== 'channel_id')
  .map(([column]) => `${column} = x.${column}`)
  .join(', ');

async function writePlan(tx: LedgerSql, plan: BatchPlan): Promise<void> {
  if (plan.updates.length > 0)
    await tx.query(
      `UPDATE ledger_channels c SET ${CHANNEL_UPDATE_SET}
         FROM ${unnestFrom(CHANNEL_RECORD_TYPES, 'x')}
        WHERE c.channel_id = x.channel_id`,
      columnArrays(plan.updates, CHANNEL_RECORD_TYPES),
    );
  if (plan.emptyPlaceholders.length > 0)
    await tx.query(
      `DELETE FROM ledger_channels WHERE channel_id = ANY($1::text[]) AND chain_facts = '[]'::jsonb
         AND proof_state IS NULL AND close_signed IS NULL`,
      [plan.emptyPlaceholders],
    );
  await insertAudit(tx, plan.audit);
  await addRevenue(tx, plan.revenue);
}

const AUDIT_COLUMNS: ReadonlyArray<keyof AuditRow> = [
  'topic',
  'partition',
  'offset',
  'event_id',
  'generation',
  'type',
  'channel_id',
  'outcome',
  'reason',
  'detail',
  'amount',
  'balance',
  'occurred_at',
  'applied_at',
];
const COPY_AUDIT = `COPY ledger_audit (${AUDIT_COLUMNS.map((name) => `"${name}"`).join(', ')}) FROM STDIN`;

/**
 * Every audit row of the batch in one COPY (text format): the one row written per consumed event, so the cheapest
 * way in for both sides (no parameter arrays to serialise and parse, Postgres inserts the rows in bulk).
 */
async function insertAudit(tx: LedgerSql, audit: AuditRow[]): Promise<void> {
  if (audit.length === 0) return;
  let payload = '';
  for (const row of audit) {
    for (let i = 0; i < AUDIT_COLUMNS.length; i++)
      payload += (i === 0 ? '' : '\t') + copyField(row[AUDIT_COLUMNS[i]!]);
    payload += '\n';
  }
  try {
    await tx.copyFrom(COPY_AUDIT, payload);
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

// The three revenue tables: each row adds an amount and a proof count under its key.
const REVENUE_TABLES: ReadonlyArray<{
  table: string;
  rows: keyof RevenueRows;
  keys: ReadonlyArray<readonly [string, string]>;
}> = [
  {
    table: 'ledger_revenue_by_route',
    rows: 'byRoute',
    keys: [
      ['route', 'text'],
      ['method', 'text'],
    ],
  },
  { table: 'ledger_revenue_by_sender', rows: 'bySender', keys: [['sender', 'text']] },
  { table: 'ledger_revenue_by_day', rows: 'byDay', keys: [['day', 'date']] },
];

/**
 * Add revenue in key order (replicas upserting the same rows then lock them in the same order): the three tables
 * in one statement, each upsert a data-modifying CTE over its own unnested parameters.
 */
async function addRevenue(tx: LedgerSql, revenue: RevenueRows): Promise<void> {
  if (revenue.byRoute.length === 0) return;
  const params: unknown[] = [];
  const upserts = REVENUE_TABLES.map(({ table, rows, keys }) => {
    const columns = [...keys, ['amount', 'numeric'], ['proofs', 'integer']] as const;
    const names = keys.map(([name]) => name).join(', ');
    const from = unnestFrom(columns, 'x', params.length + 1);
    params.push(...columnArrays(revenue[rows], columns));
    return `INSERT INTO ${table} (${names}, amount, proofs) SELECT ${names}, amount, proofs FROM ${from}
       ON CONFLICT (${names}) DO UPDATE SET amount = ${table}.amount + excluded.amount,
         proofs = ${table}.proofs + excluded.proofs`;
  });
  const [last, ...ctes] = upserts.reverse();
  await tx.query(`WITH ${ctes.map((sql, i) => `r${i} AS (${sql})`).join(', ')} ${last}`, params);
}

/** Where to resume each partition: the stored next offset, or 0 (the beginning) when none is stored. */
export async function loadStoredOffsets(
  sql: LedgerSql,
  partitions: ReadonlyArray<{ topic: string; partition: number }>,
): Promise<Array<{ topic: string; partition: number; offset: bigint }>> {
  if (partitions.length === 0) return [];
  const rows = await sql.query<{ topic: string; partition: number; next_offset: string }>(
    `SELECT topic, partition, next_offset FROM ledger_offsets WHERE topic = ANY($1::text[])`,
    [[...new Set(partitions.map((p) => p.topic))]],
  );
  const stored = new Map(rows.map((row) => [`${row.topic}:${row.partition}`, BigInt(row.next_offset)]));
  return partitions.map(({ topic, partition }) => ({
    topic,
    partition,
    offset: stored.get(`${topic}:${partition}`) ?? 0n,
  }));
}

/** Delete the whole projection, offsets included, so the next consumer replays every topic from offset 0. */
export async function dropProjection(sql: LedgerSql): Promise<void> {
  await sql.query(
    `TRUNCATE ledger_channels, ledger_revenue_by_route, ledger_revenue_by_sender, ledger_revenue_by_day,
       ledger_audit, ledger_offsets`,
  );
}
