/** A column of a bulk write: its name and the SQL type its array is cast to. */
export type UnnestColumn = readonly [name: string, sqlType: string];

/**
 * Pure: rows as one array per column, in `columns` order (missing values as null). A bulk write sends these as
 * typed array parameters and `unnest`s them server side: one statement per batch, and Postgres parses a flat
 * array literal per column instead of a JSON object per row (what `jsonb_to_recordset` cost). `jsonb` values go
 * as their JSON text: `pg` would send a JS array inside an array parameter as a nested SQL array.
 */
export function columnArrays(
  rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
  columns: readonly UnnestColumn[],
): unknown[][] {
  return columns.map(([name, type]) =>
    rows.map((row) => {
      const value = row[name] ?? null;
      return type === 'jsonb' && value !== null ? JSON.stringify(value) : value;
    }),
  );
}

/**
 * `unnest($n::type[], ...) AS alias(name, ...)` over the parameters {@link columnArrays} builds, numbered from
 * `firstParam`. Names are quoted (`offset` is a keyword).
 */
export function unnestFrom(columns: readonly UnnestColumn[], alias: string, firstParam = 1): string {
  const params = columns.map(([, type], i) => `$${firstParam + i}::${type}[]`).join(', ');
  const names = columns.map(([name]) => `"${name}"`).join(', ');
  return `unnest(${params}) AS ${alias}(${names})`;
}
