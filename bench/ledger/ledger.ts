// End-to-end projection throughput of the ledger: N balance-proof events are published to fresh topics, then the
// projection (Kafka fetch, decode + validation, one Postgres transaction per partition batch storing the offsets)
// drains them; events/s = N / drain time. Real Kafka and Postgres: KAFKA_BROKERS / DATABASE_URL when set, else the
// test infrastructure starts them. Run: npm run bench:ledger [-- N] (or BENCH_N, BENCH_CHANNELS, BENCH_PARTITIONS).
import 'reflect-metadata';
import { aBalanceProofAccepted, aChannelId, type MicroraidenEvent } from '@microraiden/events';
import { createEventProducer, ensureTopics, type KafkaClientOptions } from '@microraiden/kafka';
import {
  openLedgerDatabase,
  migrateLedger,
  startLedgerProjection,
  type LedgerTopics,
} from '@microraiden/ledger';
import { createTestDatabase, ensureInfrastructure, uniqueTopic } from '@microraiden/testing';

const N = Number(process.argv[2] ?? process.env.BENCH_N ?? 20_000);
const CHANNELS = Number(process.env.BENCH_CHANNELS ?? 200);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 6);

async function main(): Promise<void> {
  const { infra, stop } = await ensureInfrastructure();
  const client: KafkaClientOptions = { brokers: infra.kafkaBrokers.split(','), clientId: 'bench-ledger' };
  const db = await createTestDatabase({ prefix: 'bench_ledger', serverUrl: infra.databaseUrl });
  const topics: LedgerTopics = {
    balanceProofs: uniqueTopic('bench-ledger.balance-proofs'),
    channels: uniqueTopic('bench-ledger.channels'),
    deadLetter: uniqueTopic('bench-ledger.dead-letter'),
  };
  const database = openLedgerDatabase(db.url);
  try {
    await migrateLedger(database);
    await ensureTopics(client, [
      { name: topics.balanceProofs, partitions: PARTITIONS },
      { name: topics.channels, partitions: PARTITIONS },
      { name: topics.deadLetter, partitions: 1 },
    ]);

    const events: MicroraidenEvent[] = [];
    const balances = new Array<bigint>(CHANNELS).fill(0n);
    for (let i = 0; i < N; i++) {
      const c = i % CHANNELS;
      const price = 10n + BigInt(i % 7);
      events.push(
        aBalanceProofAccepted({
          channelId: aChannelId(`bench-${c}`),
          balance: balances[c]! + price,
          previousBalance: balances[c]!,
          price,
          route: ['/api/weather', '/api/quotes', '/api/maps'][i % 3]!,
        }),
      );
      balances[c]! += price;
    }
    const expectedRevenue = balances.reduce((a, b) => a + b, 0n);

    const producer = createEventProducer(client);
    const publishStarted = performance.now();
    for (let i = 0; i < events.length; i += 500)
      await producer.publish(events.slice(i, i + 500), { topic: topics.balanceProofs });
    const publishMs = performance.now() - publishStarted;
    await producer.disconnect();

    let applied = 0;
    let done!: () => void;
    const drained = new Promise<void>((resolve) => (done = resolve));
    const started = performance.now();
    const projection = await startLedgerProjection({
      database,
      client,
      groupId: uniqueTopic('bench-ledger.group'),
      topics,
      maxWaitTimeMs: 100,
      onBatch: (result) => {
        for (const c of result.counts) if (c.outcome === 'applied') applied += c.count;
        if (applied >= N) done();
      },
    });
    await drained;
    const drainMs = performance.now() - started;
    await projection.stop();

    const [row] = (await database.query(
      `SELECT sum(amount)::text AS revenue, (SELECT count(*) FROM ledger_audit)::int AS audit FROM ledger_revenue_by_route`,
    )) as Array<{ revenue: string; audit: number }>;
    if (BigInt(row!.revenue) !== expectedRevenue || row!.audit !== N)
      throw new Error(
        `projection mismatch: revenue ${row!.revenue} vs ${expectedRevenue}, audit ${row!.audit} vs ${N}`,
      );

    console.log(
      JSON.stringify({
        events: N,
        channels: CHANNELS,
        partitions: PARTITIONS,
        publishEventsPerSecond: Math.round(N / (publishMs / 1000)),
        projectionMs: Math.round(drainMs),
        projectionEventsPerSecond: Math.round(N / (drainMs / 1000)),
      }),
    );
    console.log(
      `ledger projection: ${Math.round(N / (drainMs / 1000))} events/s end to end (${N} balance proofs)`,
    );
  } finally {
    await database.close();
    await db.drop();
    await stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
