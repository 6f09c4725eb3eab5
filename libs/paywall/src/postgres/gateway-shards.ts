import { MicroraidenError } from '@microraiden/errors';
import { runMigrations, type MigrationSet } from '@microraiden/persistence';
import type { Pool } from 'pg';
import { migrateGatewaySchema } from './gateway-schema';

/** Where one database sits among the gateway's shards: index `index` of `count`, in configuration order. */
export interface ShardPosition {
  readonly index: number;
  readonly count: number;
}

/**
 * `SHARD_MISMATCH`: a database is configured at a position it does not hold (the shard list was reordered, grown or
 * shrunk, or names one database twice), or it already holds channels of an unsharded gateway. Accepting there could
 * accept a channel's increment in two databases, so start-up fails instead; docs/scaling.md says how to move.
 */
export class ShardMismatchError extends MicroraidenError<'SHARD_MISMATCH'> {
  override readonly name = 'ShardMismatchError';
}

/**
 * A sharded database records its position once, in a store of its own (not the `gateway` store's versions, which
 * an unsharded database also runs): one row, written by the first replica that migrates the empty shard.
 */
export const GATEWAY_SHARD_MIGRATIONS: MigrationSet = {
  store: 'gateway-shard',
  migrations: [
    {
      version: 1,
      name: 'create shard position',
      up: `CREATE TABLE gateway_shard (
             only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
             shard_index integer NOT NULL CHECK (shard_index >= 0),
             shard_count integer NOT NULL CHECK (shard_count > shard_index),
             recorded_at timestamptz NOT NULL DEFAULT now()
           )`,
    },
  ],
};

/** What a replica does with a database's recorded position. */
export type ShardPositionDecision =
  | { readonly action: 'keep' }
  | { readonly action: 'record' }
  | { readonly action: 'refuse'; readonly reason: string };

/**
 * Pure: a database that recorded the configured position is kept; an empty one with none records it; any other
 * (another position, or channels but no position: an unsharded gateway's database) is refused.
 */
export function decideShardPosition(
  configured: ShardPosition,
  recorded: ShardPosition | undefined,
  holdsChannels: boolean,
): ShardPositionDecision {
  const at = (p: ShardPosition) => `shard ${p.index} of ${p.count}`;
  if (recorded !== undefined) {
    if (recorded.index === configured.index && recorded.count === configured.count) return { action: 'keep' };
    return { action: 'refuse', reason: `the database is ${at(recorded)}, configured as ${at(configured)}` };
  }
  if (!holdsChannels) return { action: 'record' };
  return {
    action: 'refuse',
    reason: `the database holds channels of an unsharded gateway, configured as ${at(configured)}`,
  };
}

/**
 * Migrates every shard's tables and outbox (in shard order), and with more than one shard checks (or, on an empty
 * shard, records) each database's position; refuses with {@link ShardMismatchError}. One pool is exactly
 * migrateGatewaySchema: an unsharded database gets no position table.
 */
export async function migrateGatewayShards(
  pools: readonly Pool[],
  options: { outboxTable?: string } = {},
): Promise<void> {
  for (const [index, pool] of pools.entries()) {
    await migrateGatewaySchema(pool, options);
    if (pools.length > 1) await claimShardPosition(pool, { index, count: pools.length });
  }
}

interface PositionRow {
  shard_index: number | null;
  shard_count: number | null;
  holds_channels: boolean;
}

/** Reads the recorded position, records it on an empty shard (replicas racing agree: one insert wins), checks it. */
async function claimShardPosition(pool: Pool, configured: ShardPosition): Promise<void> {
  await runMigrations(pool, [GATEWAY_SHARD_MIGRATIONS]);
  for (let attempt = 1; ; attempt++) {
    const { rows } = await pool.query<PositionRow>(
      `SELECT s.shard_index, s.shard_count, EXISTS (SELECT 1 FROM gateway_channels) AS holds_channels
       FROM (SELECT 1) one LEFT JOIN gateway_shard s ON true`,
    );
    const row = rows[0]!;
    const recorded =
      row.shard_index === null || row.shard_count === null
        ? undefined
        : { index: row.shard_index, count: row.shard_count };
    const decision = decideShardPosition(configured, recorded, row.holds_channels);
    if (decision.action === 'keep') return;
    if (decision.action === 'refuse' || attempt > 1)
      throw new ShardMismatchError(
        'SHARD_MISMATCH',
        `refusing to use the database as a shard: ${decision.action === 'refuse' ? decision.reason : 'its position did not record'}`,
        { shardIndex: configured.index, shardCount: configured.count },
      );
    await pool.query(
      `INSERT INTO gateway_shard (shard_index, shard_count) VALUES ($1, $2) ON CONFLICT (only_row) DO NOTHING`,
      [configured.index, configured.count],
    );
  }
}
