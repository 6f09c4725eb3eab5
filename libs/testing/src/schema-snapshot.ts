import type { ClientBase, Pool } from 'pg';

/** The shape of a database's tables, for comparing schemas: every column and every index, in a stable order. */
export interface SchemaSnapshot {
  columns: string[];
  indexes: string[];
}

/**
 * The columns (`table.column type null default`) and index definitions of the current schema, sorted, leaving out
 * `exclude`d tables (a version table that only one side has).
 */
export async function schemaSnapshot(
  client: ClientBase | Pool,
  exclude: string[] = [],
): Promise<SchemaSnapshot> {
  const columns = await client.query<{ line: string }>(
    `SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' ||
            coalesce(column_default, '') AS line
       FROM information_schema.columns
      WHERE table_schema = current_schema() AND NOT (table_name = ANY($1))
      ORDER BY 1`,
    [exclude],
  );
  const indexes = await client.query<{ line: string }>(
    `SELECT indexdef AS line FROM pg_indexes
      WHERE schemaname = current_schema() AND NOT (tablename = ANY($1)) ORDER BY 1`,
    [exclude],
  );
  return { columns: columns.rows.map((r) => r.line), indexes: indexes.rows.map((r) => r.line) };
}
