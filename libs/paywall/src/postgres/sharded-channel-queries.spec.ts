import fc from 'fast-check';
import type { Address, Hex32 } from '@microraiden/protocol';
import { describe, expect, it } from 'vitest';
import type { ChannelPage, ChannelSummary, GatewayStats } from './channel-queries';
import { mergeChannelPages, sumGatewayStats } from './sharded-channel-queries';

function summary(channelId: string): ChannelSummary {
  return {
    channelId: channelId as Hex32,
    sender: `0x${'11'.repeat(20)}` as Address,
    receiver: `0x${'22'.repeat(20)}` as Address,
    state: 'open',
    confirmed: true,
    deposit: 10n,
    withdrawn: 0n,
    acceptedBalance: 1n,
    chargedBalance: 1n,
    paidRequests: 1n,
    closeSignedBalance: null,
    settleAt: null,
    lastSignature: null,
    updatedAt: new Date(0),
  };
}

/** One shard's page as ChannelQueries.list answers it: the first `limit` ids after the cursor, ordered. */
function pageOf(ids: readonly string[], cursor: string | undefined, limit: number): ChannelPage {
  const after = [...ids].sort().filter((id) => cursor === undefined || id > cursor);
  const channels = after.slice(0, limit).map(summary);
  return { channels, nextCursor: after.length > limit ? channels[channels.length - 1]!.channelId : null };
}

const id = fc.integer({ min: 0, max: 0xffff }).map((n) => `0x${n.toString(16).padStart(64, '0')}`);

describe('mergeChannelPages', () => {
  it('pages through every shard exactly as through one database holding all channels', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(id, { maxLength: 60 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 7 }),
        (ids, shards, limit) => {
          const byShard = Array.from({ length: shards }, (_, s) => ids.filter((_, i) => i % shards === s));
          let cursor: string | undefined;
          for (let pages = 0; pages <= ids.length + 1; pages++) {
            const merged = mergeChannelPages(
              byShard.map((shard) => pageOf(shard, cursor, limit)),
              limit,
            );
            expect(merged).toEqual(pageOf(ids, cursor, limit));
            if (merged.nextCursor === null) return;
            cursor = merged.nextCursor;
          }
          throw new Error('paging did not end');
        },
      ),
    );
  });
});

describe('sumGatewayStats', () => {
  it('adds up every count and amount', () => {
    const a: GatewayStats = {
      channels: { open: 1, closing: 2, settled: 3 },
      paidRequests: 4n,
      revenue: 10n ** 30n,
      fundsAtRisk: 5n,
    };
    const b: GatewayStats = {
      channels: { open: 10, closing: 20, settled: 30 },
      paidRequests: 40n,
      revenue: 1n,
      fundsAtRisk: 50n,
    };
    expect(sumGatewayStats([a, b])).toEqual({
      channels: { open: 11, closing: 22, settled: 33 },
      paidRequests: 44n,
      revenue: 10n ** 30n + 1n,
      fundsAtRisk: 55n,
    });
  });
});
