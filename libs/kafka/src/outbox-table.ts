/** Quoted SQL names derived from an outbox table name. Internal to libs/kafka. */
export interface OutboxTable {
  /** The table, quoted (`"outbox"` or `"schema"."outbox"`). */
  table: string;
  /** Prefix for its index names, unquoted. */
  indexPrefix: string;
  /** LISTEN/NOTIFY channel announcing new rows. */
  channel: string;
}

/** Default outbox table name. */
export const DEFAULT_OUTBOX_TABLE = 'outbox';

/** Validate and quote `name` (`table` or `schema.table`); anything else is refused, never interpolated. */
export function outboxTable(name: string = DEFAULT_OUTBOX_TABLE): OutboxTable {
  if (!/^[a-z_][a-z0-9_]{0,40}(\.[a-z_][a-z0-9_]{0,40})?$/.test(name))
    throw new Error(
      `invalid outbox table name ${JSON.stringify(name)}: expected [schema.]table in lower case`,
    );
  const parts = name.split('.');
  const base = parts[parts.length - 1]!;
  return {
    table: parts.map((part) => `"${part}"`).join('.'),
    indexPrefix: base,
    channel: `${name.replace('.', '_')}_pending`,
  };
}
