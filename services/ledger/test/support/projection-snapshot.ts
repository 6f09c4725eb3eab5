import { Client } from 'pg';

/**
 * Every projection table, row by row in key order, without the columns that record *when* something was written
 * (`updated_at`, `applied_at`): a rebuild must reproduce everything else exactly.
 */
export async function projectionSnapshot(databaseUrl: string): Promise<Record<string, unknown[]>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables: Record<string, string> = {
      channels: `SELECT * FROM ledger_channels ORDER BY channel_id`,
      revenueByRoute: `SELECT * FROM ledger_revenue_by_route ORDER BY route, method`,
      revenueBySender: `SELECT * FROM ledger_revenue_by_sender ORDER BY sender`,
      revenueByDay: `SELECT day::text, amount, proofs FROM ledger_revenue_by_day ORDER BY day`,
      audit: `SELECT * FROM ledger_audit ORDER BY topic, partition, "offset"`,
      offsets: `SELECT topic, partition, next_offset FROM ledger_offsets ORDER BY topic, partition`,
    };
    const snapshot: Record<string, unknown[]> = {};
    for (const [name, sql] of Object.entries(tables)) {
      const { rows } = await client.query(sql);
      snapshot[name] = rows.map(({ updated_at: _u, applied_at: _a, ...rest }) => rest);
    }
    return snapshot;
  } finally {
    await client.end();
  }
}
