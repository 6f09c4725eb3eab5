import type { ChannelView } from '../projection/channel-view';

/**
 * How a value of the channel view is stored: `text` and `integer` as they are, `amount` (bigint) as `numeric(78,0)`
 * (exact; 78 digits hold any uint256), `instant` (ISO string) as `timestamptz`, `block` (number) as `bigint`.
 */
export type ColumnKind = 'text' | 'integer' | 'amount' | 'instant' | 'block';

/** One column of `ledger_channels` that holds a field of {@link ChannelView}. */
export interface ChannelColumn {
  readonly column: string;
  readonly kind: ColumnKind;
}

/**
 * THE declaration of the channel record's queryable columns: one entry per field of {@link ChannelView}, in the
 * table's order. The compiler insists every view field has one. The row codec, the batch UPDATE, its
 * `unnest` column types and every read of a channel follow from it. Adding a column: the field in
 * `ChannelView` (and `viewOf`), its entry here, and an `ALTER TABLE` migration in `ledger-schema.ts`.
 */
export const CHANNEL_COLUMNS = {
  channelId: { column: 'channel_id', kind: 'text' },
  status: { column: 'status', kind: 'text' },
  sender: { column: 'sender', kind: 'text' },
  receiver: { column: 'receiver', kind: 'text' },
  chainId: { column: 'chain_id', kind: 'integer' },
  channelManager: { column: 'channel_manager', kind: 'text' },
  deposit: { column: 'deposit', kind: 'amount' },
  withdrawn: { column: 'withdrawn', kind: 'amount' },
  balance: { column: 'balance', kind: 'amount' },
  chargedBalance: { column: 'charged_balance', kind: 'amount' },
  signature: { column: 'signature', kind: 'text' },
  proofCount: { column: 'proof_count', kind: 'integer' },
  lastProofAt: { column: 'last_proof_at', kind: 'instant' },
  closeBalance: { column: 'close_balance', kind: 'amount' },
  closeSignedBalance: { column: 'close_signed_balance', kind: 'amount' },
  closeSignedAt: { column: 'close_signed_at', kind: 'instant' },
  settleAt: { column: 'settle_at', kind: 'amount' },
  settledAt: { column: 'settled_at', kind: 'instant' },
  settledBalance: { column: 'settled_balance', kind: 'amount' },
  receiverPaid: { column: 'receiver_paid', kind: 'amount' },
  senderRefund: { column: 'sender_refund', kind: 'amount' },
  createdBlock: { column: 'created_block', kind: 'block' },
  updatedAt: { column: 'updated_at', kind: 'instant' },
} as const satisfies { readonly [K in keyof ChannelView]-?: ChannelColumn };

const SQL_TYPE: Record<ColumnKind, string> = {
  text: 'text',
  integer: 'integer',
  amount: 'numeric',
  instant: 'timestamptz',
  block: 'bigint',
};

const ENTRIES = Object.entries(CHANNEL_COLUMNS) as Array<[keyof ChannelView, ChannelColumn]>;

/** The view's columns, in order. */
export const CHANNEL_VIEW_COLUMN_NAMES: readonly string[] = ENTRIES.map(([, c]) => c.column);

/** `[name, SQL type]` of each view column, for the batch UPDATE's `unnest`. */
export const CHANNEL_VIEW_COLUMN_TYPES: ReadonlyArray<readonly [string, string]> = ENTRIES.map(
  ([, c]) => [c.column, SQL_TYPE[c.kind]] as const,
);

/** The view's columns as a select list (`alias.` prefixed when given). */
export function channelViewSelectList(alias?: string): string {
  return CHANNEL_VIEW_COLUMN_NAMES.map((name) => (alias ? `${alias}.${name}` : name)).join(', ');
}

/** A view as its column values (JSON-safe: amounts as base-10 strings, instants as ISO strings). */
export function encodeViewColumns(view: ChannelView): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [field, { column, kind }] of ENTRIES) {
    const value = view[field];
    row[column] = kind === 'amount' && value !== null ? String(value) : value;
  }
  return row;
}

/** A selected row (as `pg` returns it: numeric and bigint as strings, timestamptz as Date) as a view. */
export function decodeViewColumns(row: Record<string, unknown>): ChannelView {
  const view: Record<string, unknown> = {};
  for (const [field, { column, kind }] of ENTRIES) view[field] = decodeValue(row[column], kind);
  return view as unknown as ChannelView;
}

function decodeValue(value: unknown, kind: ColumnKind): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'text':
    case 'integer':
      return value;
    case 'amount':
      return BigInt(value as string);
    case 'instant':
      return value instanceof Date ? value.toISOString() : new Date(value as string).toISOString();
    case 'block':
      return Number(value);
    default: {
      const unknown: never = kind;
      throw new TypeError(`unhandled column kind ${String(unknown)}`);
    }
  }
}
