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
  type BatchScope,
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
    const alreadyApplied = fresh ? await placeholdersAndAppliedIds(tx, scope) : new Set<string>();
    const plan = planBatch({
      batch,
      storedOffset,
      channels: fresh ? await lockChannels(tx, scope.channelIds) : new Map(),
      alreadyApplied,
      now,
    });
    if (fresh) await insertAudit(tx, plan.audit);
    await writeRows(tx, fresh ? plan : undefined, batch);
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

/**
 * Insert the scope's channels as placeholders, so a channel seen for the first time is locked too (else two
 * partitions could both start it from nothing and one would overwrite the other), and read which of its ids the
 * audit trail records as applied: one statement, the insert a data-modifying CTE the read does not need.
 */
async function placeholdersAndAppliedIds(tx: LedgerSql, scope: BatchScope): Promise<Set<string>> {
  // The ids as one comma-separated text instead of a text[] parameter: event ids are hex (no comma to escape), and
  // pg would quote and escape every element of an array, one per consumed proof.
  const rows = await tx.query<{ event_id: string }>(
    `WITH placeholders AS (
       INSERT INTO ledger_channels (channel_id) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT DO NOTHING)
     SELECT event_id FROM ledger_audit WHERE event_id = ANY(string_to_array($2, ',')) AND outcome = 'applied'`,
    [scope.channelIds, scope.proofIds.join(',')],
  );
  return new Set(rows.map((row) => row.event_id));
}

/**
 * The channels' stored projections (placeholders inserted), their rows locked in id order; undefined for a channel
 * nothing is known of.
 */
async function lockChannels(
  tx: LedgerSql,
  channelIds: string[],
): Promise<Map<string, ChannelProjection | undefined>> {
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

/** One statement of a combined write: its SQL, its parameters numbered from `$1`. */
type Write = (firstParam: number) => { sql: string; params: unknown[] };

/**
 * The plan's rows and the partition's next offset in one statement (one round trip): the channel update, the
 * placeholder delete, the three revenue upserts and the offset update, each a data-modifying CTE over its own
 * parameters. They touch disjoint rows, so none needs to see another's effect.
 */
async function writeRows(tx: LedgerSql, plan: BatchPlan | undefined, batch: ProjectionBatch): Promise<void> {
  const writes: Write[] = [];
  if (plan && plan.updates.length > 0) writes.push(channelUpdate(plan.updates));
  if (plan && plan.emptyPlaceholders.length > 0)
    writes.push((n) => ({
      sql: `DELETE FROM ledger_channels WHERE channel_id = ANY($${n}::text[]) AND chain_facts = '[]'::jsonb
              AND proof_state IS NULL AND close_signed IS NULL`,
      params: [plan.emptyPlaceholders],
    }));
  if (plan && plan.revenue.byRoute.length > 0) writes.push(...revenueUpserts(plan.revenue));
  writes.push((n) => ({
    sql: `UPDATE ledger_offsets SET next_offset = GREATEST(next_offset, $${n + 2}), updated_at = now()
           WHERE topic = $${n} AND partition = $${n + 1}`,
    params: [batch.topic, batch.partition, batch.nextOffset.toString()],
  }));
  const params: unknown[] = [];
  const statements = writes.map((write) => {
    const { sql, params: own } = write(params.length + 1);
    params.push(...own);
    return sql;
  });
  const last = statements.pop()!;
  const ctes = statements.map((sql, i) => `w${i} AS (${sql})`).join(', ');
  await tx.query(ctes === '' ? last : `WITH ${ctes} ${last}`, params);
}

// Every column but the key, from the column table: a new column is written without touching this file.
const CHANNEL_UPDATE_SET = CHANNEL_RECORD_TYPES.filter(([column]) => column !== 'channel_id')
  .map(([column]) => `${column} = x.${column}`)
  .join(', ');

/** The touched channels' rows, one per channel, over one typed array per column. */
const channelUpdate =
  (updates: BatchPlan['updates']): Write =>
  (n) => ({
    sql: `UPDATE ledger_channels c SET ${CHANNEL_UPDATE_SET}
            FROM ${unnestFrom(CHANNEL_RECORD_TYPES, 'x', n)}
           WHERE c.channel_id = x.channel_id`,
    params: columnArrays(updates, CHANNEL_RECORD_TYPES),
  });

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
 * The revenue upserts, rows in key order (replicas upserting the same rows then lock them in the same order), each
 * over its own unnested parameters.
 */
function revenueUpserts(revenue: RevenueRows): Write[] {
  return REVENUE_TABLES.map(({ table, rows, keys }) => (n) => {
    const columns = [...keys, ['amount', 'numeric'], ['proofs', 'integer']] as const;
    const names = keys.map(([name]) => name).join(', ');
    return {
      sql: `INSERT INTO ${table} (${names}, amount, proofs) SELECT ${names}, amount, proofs
              FROM ${unnestFrom(columns, 'x', n)}
            ON CONFLICT (${names}) DO UPDATE SET amount = ${table}.amount + excluded.amount,
              proofs = ${table}.proofs + excluded.proofs`,
      params: columnArrays(revenue[rows], columns),
    };
  });
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
