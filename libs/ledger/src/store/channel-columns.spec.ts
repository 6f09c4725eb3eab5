import { aChannelCreated, aChannelId } from '@microraiden/events';
import { describe, expect, it } from 'vitest';
import { viewOf, type ChannelView } from '../projection/channel-view';
import { evolve } from '../projection/evolve-channel';
import {
  CHANNEL_COLUMNS,
  CHANNEL_VIEW_COLUMN_NAMES,
  decodeViewColumns,
  encodeViewColumns,
} from './channel-columns';
import { CHANNEL_RECORD_TYPES } from './channel-row';

const created = evolve(undefined, aChannelCreated({ channelId: aChannelId('columns') }), new Date(0));
const view: ChannelView = {
  ...viewOf(created.outcome === 'applied' ? created.state : (undefined as never)),
  closeBalance: 7n,
  lastProofAt: '2025-03-01T00:00:00.000Z',
};

/** What pg hands back for the encoded values: numeric and bigint as text, timestamptz as Date. */
function asSelected(row: Record<string, unknown>): Record<string, unknown> {
  const selected: Record<string, unknown> = {};
  for (const { column, kind } of Object.values(CHANNEL_COLUMNS)) {
    const value = row[column];
    selected[column] =
      value === null
        ? null
        : kind === 'instant'
          ? new Date(value as string)
          : kind === 'block'
            ? String(value)
            : value;
  }
  return selected;
}

describe('the channel column table', () => {
  it('stores amounts as exact base-10 text and reads every field back as it was', () => {
    const row = encodeViewColumns(view);
    expect(row).toMatchObject({ deposit: view.deposit.toString(), close_balance: '7', settle_at: null });
    expect(decodeViewColumns(asSelected(row))).toEqual(view);
  });

  it('declares every column once, and the batch UPDATE column types follow it', () => {
    expect(new Set(CHANNEL_VIEW_COLUMN_NAMES).size).toBe(Object.keys(view).length);
    const types = new Map(CHANNEL_RECORD_TYPES);
    for (const name of CHANNEL_VIEW_COLUMN_NAMES) expect(types.has(name)).toBe(true);
    expect(types.get('deposit')).toBe('numeric');
    expect(types.get('chain_facts')).toBe('jsonb');
  });
});
