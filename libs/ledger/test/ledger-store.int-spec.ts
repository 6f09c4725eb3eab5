import {
  aBalanceProofAccepted,
  aChannelCreated,
  aChannelId,
  aChannelToppedUp,
  aRetraction,
  type MicroraidenEvent,
} from '@microraiden/events';
import { createTestDatabase, type TestDatabase } from '@microraiden/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyBatch,
  openLedgerDatabase,
  findChannel,
  LEDGER_MIGRATIONS,
  loadStoredOffsets,
  migrateLedger,
  revenueByRoute,
  takeProjectionWriterLock,
  type LedgerDatabase,
  type ProjectionBatch,
} from '../src';

const NOW = new Date('2025-03-01T00:00:00.000Z');
let db: TestDatabase;
let dataSource: LedgerDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'ledger_store' });
});
afterAll(async () => {
  await dataSource?.close();
  await db?.drop();
});

function batchOf(topic: string, events: MicroraidenEvent[], firstOffset = 0n): ProjectionBatch {
  return {
    topic,
    partition: 0,
    events: events.map((event, i) => ({ event, offset: firstOffset + BigInt(i) })),
    nextOffset: firstOffset + BigInt(events.length),
  };
}

async function tableCounts() {
  const [row] = (await dataSource.query(
    `SELECT (SELECT count(*) FROM ledger_channels)::int AS channels, (SELECT count(*) FROM ledger_audit)::int AS audit,
            (SELECT coalesce(sum(amount), 0)::text FROM ledger_revenue_by_sender) AS revenue`,
  )) as Array<{ channels: number; audit: number; revenue: string }>;
  return row;
}

describe('ledger store', () => {
  it('migrates once when several replicas start together', async () => {
    const replicas = Array.from({ length: 4 }, () => openLedgerDatabase(db.url, { poolSize: 2 }));
    try {
      const ran = await Promise.all(replicas.map((r) => migrateLedger(r)));
      // Each migration ran once, by one replica: the two of the TypeORM era first, then any added since.
      expect(ran.flat()).toEqual(LEDGER_MIGRATIONS.migrations.map((m) => m.name));
      expect(ran.flat().slice(0, 2)).toEqual(['CreateLedger1764190000000', 'AddCloseSigned1764290000000']);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
    dataSource = openLedgerDatabase(db.url);
    expect(await migrateLedger(dataSource)).toEqual([]);
  });

  it('returns 0 for partitions without a stored offset, the stored offset otherwise', async () => {
    expect(await loadStoredOffsets(dataSource, [{ topic: 'fresh', partition: 0 }])).toEqual([
      { topic: 'fresh', partition: 0, offset: 0n },
    ]);
  });

  it('applies a batch exactly once: redelivery and re-published events change nothing', async () => {
    const channelId = aChannelId('store');
    const proofs = [100n, 200n, 300n].map((balance) =>
      aBalanceProofAccepted({ channelId, balance, previousBalance: balance - 100n }),
    );
    await applyBatch(dataSource, batchOf('proofs', proofs), NOW);
    const once = await tableCounts();
    expect(once).toEqual({ channels: 1, audit: 3, revenue: '300' });

    // The same batch again (a redelivery after a crash before Kafka's commit): below the stored offset.
    const redelivered = await applyBatch(dataSource, batchOf('proofs', proofs), NOW);
    expect(redelivered.counts).toEqual([{ type: 'balance-proof.accepted', outcome: 'duplicate', count: 3 }]);
    // The same events re-published at new offsets (an outbox re-send): already applied by id.
    await applyBatch(dataSource, batchOf('proofs', proofs, 3n), NOW);
    expect(await tableCounts()).toEqual(once);
    expect(await loadStoredOffsets(dataSource, [{ topic: 'proofs', partition: 0 }])).toEqual([
      { topic: 'proofs', partition: 0, offset: 6n },
    ]);
    expect(await revenueByRoute(dataSource)).toEqual([
      { route: '/api/weather', method: 'GET', amount: 300n, proofs: 3 },
    ]);
  });

  it('undoes a retracted top-up and re-applies it when its log becomes canonical again', async () => {
    const channelId = aChannelId('store-reorg');
    const created = aChannelCreated({ channelId, deposit: 1000n, blockNumber: 1 });
    const topUp = aChannelToppedUp({ channelId, added: 500n, deposit: 1500n, blockNumber: 2 });
    await applyBatch(dataSource, batchOf('chain', [created, topUp, aRetraction(topUp)]), NOW);
    expect(await findChannel(dataSource, channelId)).toMatchObject({ status: 'open', deposit: 1000n });
    await applyBatch(dataSource, batchOf('chain', [topUp], 3n), NOW);
    expect(await findChannel(dataSource, channelId)).toMatchObject({ deposit: 1500n, createdBlock: 1 });
    const audit = (await dataSource.query(
      `SELECT type, generation, outcome FROM ledger_audit WHERE channel_id = $1 ORDER BY "offset"`,
      [channelId],
    )) as unknown[];
    expect(audit).toEqual([
      { type: 'channel.created', generation: 0, outcome: 'applied' },
      { type: 'channel.topped-up', generation: 0, outcome: 'applied' },
      { type: 'channel.event-retracted', generation: 0, outcome: 'applied' },
      { type: 'channel.topped-up', generation: 1, outcome: 'applied' },
    ]);
  });

  it('leaves no row for a channel it only saw ignored events of', async () => {
    const ghost = aChannelId('store-ghost');
    await applyBatch(dataSource, batchOf('chain-ghost', [aChannelToppedUp({ channelId: ghost })]), NOW);
    expect(await findChannel(dataSource, ghost)).toBeNull();
    const [row] = (await dataSource.query(`SELECT reason FROM ledger_audit WHERE channel_id = $1`, [
      ghost,
    ])) as Array<{
      reason: string;
    }>;
    expect(row?.reason).toBe('CHANNEL_UNKNOWN');
  });

  it('lets live projections share the writer lock and keeps a rebuild out of their way (and vice versa)', async () => {
    const replicaA = await takeProjectionWriterLock(dataSource, 'shared');
    const replicaB = await takeProjectionWriterLock(dataSource, 'shared');
    await expect(takeProjectionWriterLock(dataSource, 'exclusive')).rejects.toMatchObject({
      code: 'LEDGER_IN_USE',
    });
    await replicaA.release();
    await replicaB.release();
    const rebuild = await takeProjectionWriterLock(dataSource, 'exclusive');
    await expect(takeProjectionWriterLock(dataSource, 'shared')).rejects.toMatchObject({
      code: 'LEDGER_REBUILD_RUNNING',
    });
    await rebuild.release();
    await (await takeProjectionWriterLock(dataSource, 'shared')).release();
  });

  it('copies rows with COPY FROM STDIN, in a transaction and on the pool, escapes included', async () => {
    dataSource ??= openLedgerDatabase(db.url);
    await migrateLedger(dataSource);
    await dataSource.query(`CREATE TABLE IF NOT EXISTS copy_probe_rows (a text, b numeric)`);
    const copied = await dataSource.transaction((tx) =>
      tx.copyFrom('COPY copy_probe_rows (a, b) FROM STDIN', 'tab\\there\\nnew\t1\n\\N\t2\n'),
    );
    expect(copied).toBe(2);
    expect(await dataSource.copyFrom('COPY copy_probe_rows (a, b) FROM STDIN', 'x\t3\n')).toBe(1);
    const rows = await dataSource.query(`SELECT a, b::text FROM copy_probe_rows ORDER BY b`);
    expect(rows).toEqual([
      { a: 'tab\there\nnew', b: '1' },
      { a: null, b: '2' },
      { a: 'x', b: '3' },
    ]);
    // A bad row fails the whole COPY with the server's error, and the pool's connection stays usable.
    await expect(
      dataSource.copyFrom('COPY copy_probe_rows (a, b) FROM STDIN', 'y\tnot-a-number\n'),
    ).rejects.toThrow(/numeric/);
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM copy_probe_rows`)).toEqual([{ n: 3 }]);
    await dataSource.query(`DROP TABLE copy_probe_rows`);
  });
});
