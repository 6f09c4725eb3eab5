// End-to-end projection throughput of the ledger: N balance-proof events are published to fresh topics, then the
// projection (Kafka fetch, decode + validation, one Postgres transaction per partition batch storing the offsets)
// drains them; events/s = N / drain time (group join included). CPU per event: this process's CPU over the drain
// (process.cpuUsage: the consumer, decode, plan) and the ledger's Postgres backends' (utime + stime from /proc, so
// only when Postgres runs on this machine), divided by N. Real Kafka and Postgres: KAFKA_BROKERS / DATABASE_URL when
// set, else the test infrastructure starts them. Run: npm run bench:ledger [-- N] (or BENCH_N, BENCH_CHANNELS,
// BENCH_PARTITIONS).
import { readFileSync } from 'node:fs';
import 'reflect-metadata';
import { aBalanceProofAccepted, aChannelId, type MicroraidenEvent } from '@microraiden/events';
import { createEventProducer, ensureTopics, type KafkaClientOptions } from '@microraiden/kafka';
import {
  openLedgerDatabase,
  migrateLedger,
  startLedgerProjection,
  type LedgerDatabase,
  type LedgerTopics,
} from '@microraiden/ledger';
import { createTestDatabase, ensureInfrastructure, uniqueTopic } from '@microraiden/testing';
import { formatTarget } from '../target';

const N = Number(process.argv[2] ?? process.env.BENCH_N ?? 20_000);
const CHANNELS = Number(process.env.BENCH_CHANNELS ?? 200);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 6);
const TARGET = 50_000; // issue 14 target 4
const TICKS_PER_SECOND = 100; // USER_HZ of /proc/<pid>/stat on Linux

/** CPU µs each of the ledger's Postgres backends has used so far (empty when /proc does not show them). */
async function backendCpu(database: LedgerDatabase): Promise<Map<number, number>> {
  const rows = (await database.query(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'ledger'`,
  )) as Array<{ pid: number }>;
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      // Fields after the ")" of the command name: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      cpu.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND);
    } catch {
      // Postgres on another machine (or the backend just exited): not measured.
    }
  }
  return cpu;
}

/** CPU µs the backends used between two readings (a backend new since the first counts whole). */
function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, us] of after) total += us - (before.get(pid) ?? 0);
  return total;
}

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
    const backendsBefore = await backendCpu(database);
    const cpuBefore = process.cpuUsage();
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
    const cpu = process.cpuUsage(cpuBefore);
    const backendUs = cpuBetween(backendsBefore, await backendCpu(database));
    await projection.stop();

    const [row] = (await database.query(
      `SELECT sum(amount)::text AS revenue, (SELECT count(*) FROM ledger_audit)::int AS audit FROM ledger_revenue_by_route`,
    )) as Array<{ revenue: string; audit: number }>;
    if (BigInt(row!.revenue) !== expectedRevenue || row!.audit !== N)
      throw new Error(
        `projection mismatch: revenue ${row!.revenue} vs ${expectedRevenue}, audit ${row!.audit} vs ${N}`,
      );

    const eventsPerSecond = Math.round(N / (drainMs / 1000));
    const ledgerUsPerEvent = (cpu.user + cpu.system) / N;
    const postgresUsPerEvent = backendUs / N;
    console.log(
      JSON.stringify({
        events: N,
        channels: CHANNELS,
        partitions: PARTITIONS,
        publishEventsPerSecond: Math.round(N / (publishMs / 1000)),
        projectionMs: Math.round(drainMs),
        projectionEventsPerSecond: eventsPerSecond,
        ledgerCpuUsPerEvent: Number(ledgerUsPerEvent.toFixed(1)),
        postgresCpuUsPerEvent: Number(postgresUsPerEvent.toFixed(1)),
      }),
    );
    console.log(
      formatTarget({
        issue: 4,
        what: 'ledger projection throughput',
        measured: eventsPerSecond,
        bound: 'at least',
        target: TARGET,
        unit: 'events/s',
        detail: `${N} balance proofs end to end, Kafka to Postgres`,
      }),
    );
    console.log(
      `CPU per event: ledger ${ledgerUsPerEvent.toFixed(1)} µs + Postgres backends ${postgresUsPerEvent.toFixed(1)} µs` +
        ` = ${(ledgerUsPerEvent + postgresUsPerEvent).toFixed(1)} µs`,
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
