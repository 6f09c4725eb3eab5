// The outbox relay's cost per published row: N committed outbox rows (balance-proof.accepted, as the gateway writes
// them) drained by one relay in batches of BENCH_BATCH (default 50, about what a replica's 100 ms poll finds under
// load), with CPU per row split into the relay process, its Postgres backends and the Kafka broker. With
// BENCH_OLD_RELAY=<checkout>, that checkout's libs/kafka relay runs in alternate rounds (same process, database and
// topic), so old and new see the same machine. Run: npm run bench:relay [-- N]  (BENCH_ROUNDS, BENCH_BATCH)
import os from 'node:os';
import path from 'node:path';
import { aBalanceProofAccepted, aChannelId } from '@microraiden/events';
import {
  createOutboxRelay,
  deleteTopics,
  ensureTopics,
  migrateOutbox,
  outboxRowOf,
  type OutboxRelayOptions,
  type OutboxRelay,
} from '@microraiden/kafka';
import { createTestDatabase, ensureInfrastructure, uniqueTopic } from '@microraiden/testing';
import { Pool } from 'pg';
import { CpuMeter, pidListeningOn } from '../gateway/cpu-meter';

const N = Number(process.argv[2] ?? process.env.BENCH_N ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = Number(process.env.BENCH_BATCH ?? 50);

type RelayFactory = (options: OutboxRelayOptions) => OutboxRelay;

/** Inserts `count` committed outbox rows in chunks (one transaction each), as acceptances would. */
async function fill(pool: Pool, topic: string, count: number, tag: string): Promise<void> {
  for (let start = 0; start < count; start += 500) {
    const rows = Array.from({ length: Math.min(500, count - start) }, (_, i) =>
      outboxRowOf(
        aBalanceProofAccepted({
          channelId: aChannelId(`${tag}-${(start + i) % 64}`),
          balance: BigInt(start + i + 1),
        }),
        topic,
      ),
    );
    await pool.query(
      `INSERT INTO outbox (topic, key, payload, headers)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::jsonb[])`,
      [
        rows.map((r) => r.topic),
        rows.map((r) => r.key),
        rows.map((r) => r.payload),
        rows.map((r) => JSON.stringify(r.headers)),
      ],
    );
  }
}

async function main(): Promise<void> {
  const { infra, stop } = await ensureInfrastructure();
  const db = await createTestDatabase({ prefix: 'bench_relay', serverUrl: infra.databaseUrl });
  const pool = new Pool({ connectionString: db.url, max: 2 });
  const brokers = infra.kafkaBrokers.split(',');
  const client = { brokers, clientId: 'bench-relay' };
  const brokerPid = pidListeningOn(Number(new URL(`kafka://${brokers[0]}`).port));
  let backends: number[] = [];
  const meter = new CpuMeter([
    { name: 'relay backends', pids: () => backends },
    { name: 'kafka', pids: () => (brokerPid === undefined ? [] : [brokerPid]) },
  ]);
  const variants: Array<[string, RelayFactory]> = [['this checkout', createOutboxRelay]];
  if (process.env.BENCH_OLD_RELAY) {
    const old = (await import(
      path.resolve(process.env.BENCH_OLD_RELAY, 'libs/kafka/src/outbox-relay.ts')
    )) as {
      createOutboxRelay: RelayFactory;
    };
    variants.unshift(['old', old.createOutboxRelay]);
  }
  const topic = uniqueTopic('bench.relay');
  try {
    await migrateOutbox(pool);
    await ensureTopics(client, [{ name: topic, partitions: 3 }]);
    console.log(
      `relay bench: ${N} rows per round, batches of ${BATCH}, ${ROUNDS} rounds, ${os.cpus().length} cores`,
    );
    const results = new Map<string, number[][]>(variants.map(([name]) => [name, []]));
    // Round 0 warms up the JIT and the connections of every variant and is not reported.
    for (let round = 0; round <= ROUNDS; round++) {
      for (const [name, factory] of variants) {
        // start() connects the producer and runs one batch on the empty table; with a long poll the loop then
        // sleeps, and the rows filled afterwards are driven batch by batch below, so only that work is measured.
        const measured = factory({
          databaseUrl: db.url,
          client,
          batchSize: BATCH,
          listen: false,
          retainPublishedMs: null,
          pollIntervalMs: 60_000,
        });
        await measured.start();
        await new Promise((r) => setTimeout(r, 200));
        await fill(pool, topic, N, `${round}-${name}`);
        const { rows } = await pool.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'outbox-relay'`,
          [db.name],
        );
        backends = rows.map((r) => r.pid);
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        const { result: published, cpu } = await meter.measure(async () => {
          let total = 0;
          for (let n; (n = await measured.publishPending()) > 0;) total += n;
          return total;
        });
        const seconds = (performance.now() - started) / 1000;
        const own = process.cpuUsage(cpuBefore);
        await measured.stop();
        const per = (s: number) => (s * 1e6) / published;
        const row = [
          per((own.user + own.system) / 1e6),
          per(cpu['relay backends'] ?? 0),
          per(cpu.kafka ?? 0),
        ];
        if (round === 0) continue;
        results.get(name)!.push(row);
        console.log(
          `round ${round} ${name.padEnd(14)} ${published} rows in ${seconds.toFixed(2)} s: CPU µs per row ` +
            `relay ${row[0]!.toFixed(1)}, Postgres ${row[1]!.toFixed(1)}, Kafka ${row[2]!.toFixed(1)}, ` +
            `total ${(row[0]! + row[1]! + row[2]!).toFixed(1)}`,
        );
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
    for (const [name, rows] of results) {
      const parts = ['relay', 'Postgres', 'Kafka'].map(
        (part, k) => `${part} ${median(rows.map((r) => r[k]!)).toFixed(1)}`,
      );
      const totals = rows.map((r) => r[0]! + r[1]! + r[2]!);
      console.log(
        `${name.padEnd(14)} median CPU µs per row: ${parts.join(', ')}, total ${median(totals).toFixed(1)} ` +
          `(rounds ${Math.min(...totals).toFixed(0)}–${Math.max(...totals).toFixed(0)})`,
      );
    }
    console.log(
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await pool.end();
    await db.drop();
    await deleteTopics(client, [topic]);
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
