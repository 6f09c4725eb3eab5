import { describe, expect, it } from 'vitest';
import { decideShardPosition } from './gateway-shards';

describe('decideShardPosition', () => {
  const configured = { index: 1, count: 2 };

  it('keeps a database that recorded the configured position, with or without channels', () => {
    expect(decideShardPosition(configured, { index: 1, count: 2 }, true)).toEqual({ action: 'keep' });
    expect(decideShardPosition(configured, { index: 1, count: 2 }, false)).toEqual({ action: 'keep' });
  });

  it('records the position on an empty database', () => {
    expect(decideShardPosition(configured, undefined, false)).toEqual({ action: 'record' });
  });

  it.each([
    [{ index: 0, count: 2 }, 'the database is shard 0 of 2, configured as shard 1 of 2'],
    [{ index: 1, count: 3 }, 'the database is shard 1 of 3, configured as shard 1 of 2'],
  ])('refuses a database recorded at another position (%o)', (recorded, reason) => {
    expect(decideShardPosition(configured, recorded, true)).toEqual({ action: 'refuse', reason });
  });

  it("refuses an unsharded gateway's database: its channels must be moved first", () => {
    expect(decideShardPosition(configured, undefined, true)).toEqual({
      action: 'refuse',
      reason: 'the database holds channels of an unsharded gateway, configured as shard 1 of 2',
    });
  });
});
