// End-to-end projection throughput of the ledger: N balance-proof events are published to fresh topics, then
// BENCH_LEDGER_INSTANCES ledger processes (default 1; bench/ledger/ledger-instance.ts) in one consumer group drain
// them (Kafka fetch, decode + validation, one Postgres transaction per partition batch storing the offsets);
// events/s = N / drain time (group join included). The totals are checked exact: N applied, N audit rows, revenue
// and channel balances equal to what was published. CPU per event: each instance's own CPU over the drain
// (process.cpuUsage: the consumer, decode, plan, `pg`) and the ledger's Postgres backends' (utime + stime from /proc,
// so only when Postgres runs on this machine), divided by N. Real Kafka and Postgres: KAFKA_BROKERS / DATABASE_URL
// when set, else the test infrastructure starts them. Run: npm run bench:ledger [-- N] (or BENCH_N, BENCH_CHANNELS,
// BENCH_PARTITIONS, BENCH_LEDGER_INSTANCES, BENCH_MAX_BATCH, BENCH_PARTITIONS_CONCURRENTLY, BENCH_TOPIC_PREFIX, BENCH_PROFILE_DIR).
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { aBalanceProofAccepted, aChannelId, type MicroraidenEvent } from '@microraiden/events';
import { createEventProducer, deleteTopics, ensureTopics, type KafkaClientOptions } from '@microraiden/kafka';
import {
  openLedgerDatabase,
  migrateLedger,
  type LedgerDatabase,
  type LedgerTopics,
} from '@microraiden/ledger';
import { createTestDatabase, ensureInfrastructure, uniqueTopic } from '@microraiden/testing';
import { formatTarget } from '../target';
import type { InstanceMessage, InstanceSpec, ParentMessage } from './ledger-instance';

const N = Number(process.argv[2] ?? process.env.BENCH_N ?? 20_000);
const CHANNELS = Number(process.env.BENCH_CHANNELS ?? 200);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 6);
const INSTANCES = Number(process.env.BENCH_LEDGER_INSTANCES ?? 1);
const MAX_BATCH = Number(process.env.BENCH_MAX_BATCH ?? 0);
const CONCURRENT = Number(process.env.BENCH_PARTITIONS_CONCURRENTLY ?? 0);
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR; // each instance writes a CPU profile (node --cpu-prof)
const PREFIX = process.env.BENCH_TOPIC_PREFIX ?? '';
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

/** Transactions committed in the bench's database so far (the drain's batches, and a few of the bench's own reads). */
async function commits(database: LedgerDatabase): Promise<number> {
  const [row] = (await database.query(
    `SELECT xact_commit::int AS n FROM pg_stat_database WHERE datname = current_database()`,
  )) as Array<{ n: number }>;
  return row!.n;
}

/** CPU µs the backends used between two readings (a backend new since the first counts whole). */
function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, us] of after) total += us - (before.get(pid) ?? 0);
  return total;
}

/** A ledger instance in a child process (bench/ledger/ledger-instance.ts), driven over IPC. */
async function startInstance(spec: InstanceSpec) {
  const child = fork(join(__dirname, 'ledger-instance.ts'), [], {
    execArgv: [
      '-r',
      '@swc-node/register',
      ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []),
      ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
    ],
    env: { ...process.env, BENCH_LEDGER_INSTANCE: JSON.stringify(spec) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let appliedListener: () => void = () => undefined;
  let cpuWaiter: ((us: number) => void) | undefined;
  const instance = {
    applied: 0,
    send: (message: ParentMessage) => child.send(message),
    onApplied: (listener: () => void) => (appliedListener = listener),
    cpu: () =>
      new Promise<number>((resolve) => {
        cpuWaiter = resolve;
        child.send({ kind: 'report' } satisfies ParentMessage);
      }),
    stop: async () => {
      child.send({ kind: 'stop' } satisfies ParentMessage);
      await exited;
    },
  };
  await new Promise<void>((resolve, reject) => {
    child.on('message', (message: InstanceMessage) => {
      if (message.kind === 'ready') resolve();
      else if (message.kind === 'applied') {
        instance.applied += message.count;
        appliedListener();
      } else cpuWaiter?.(message.us);
    });
    void exited.then((code) => reject(new Error(`ledger instance ${spec.index} exited (${code})`)));
  });
  void exited.then((code) => {
    if (code !== 0) {
      console.error(`ledger instance ${spec.index} exited with ${code}`);
      process.exit(1);
    }
  });
  return instance;
}

async function main(): Promise<void> {
  const { infra, stop } = await ensureInfrastructure();
  const client: KafkaClientOptions = { brokers: infra.kafkaBrokers.split(','), clientId: 'bench-ledger' };
  const db = await createTestDatabase({ prefix: 'bench_ledger', serverUrl: infra.databaseUrl });
  const topics: LedgerTopics = {
    balanceProofs: uniqueTopic(PREFIX + 'bench-ledger.balance-proofs'),
    channels: uniqueTopic(PREFIX + 'bench-ledger.channels'),
    deadLetter: uniqueTopic(PREFIX + 'bench-ledger.dead-letter'),
  };
  const groupId = uniqueTopic(PREFIX + 'bench-ledger.group');
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

    const instances = await Promise.all(
      Array.from({ length: INSTANCES }, (_, index) =>
        startInstance({
          index,
          databaseUrl: db.url,
          client,
          groupId,
          topics,
          ...(MAX_BATCH ? { maxBatchSize: MAX_BATCH } : {}),
          ...(CONCURRENT ? { partitionsConcurrently: CONCURRENT } : {}),
        }),
      ),
    );
    let applied = 0;
    let done!: () => void;
    const drained = new Promise<void>((resolve) => (done = resolve));
    for (const instance of instances)
      instance.onApplied(() => {
        applied = instances.reduce((sum, i) => sum + i.applied, 0);
        if (applied >= N) done();
      });
    const commitsBefore = await commits(database);
    const backendsBefore = await backendCpu(database);
    const loadBefore = loadavg()[0]!;
    const started = performance.now();
    for (const instance of instances) instance.send({ kind: 'go' });
    await drained;
    const drainMs = performance.now() - started;
    const instanceCpu = await Promise.all(instances.map((instance) => instance.cpu()));
    const backendUs = cpuBetween(backendsBefore, await backendCpu(database));
    const loadAfter = loadavg()[0]!;
    const transactions = (await commits(database)) - commitsBefore;
    await Promise.all(instances.map((instance) => instance.stop()));
    const [row] = (await database.query(
      `SELECT (SELECT sum(amount) FROM ledger_revenue_by_route)::text AS revenue,
              (SELECT sum(balance) FROM ledger_channels)::text AS balances,
              (SELECT count(*) FROM ledger_audit)::int AS audit`,
    )) as Array<{ revenue: string; balances: string; audit: number }>;
    if (
      BigInt(row!.revenue) !== expectedRevenue ||
      BigInt(row!.balances) !== expectedRevenue ||
      row!.audit !== N ||
      applied !== N
    )
      throw new Error(
        `projection mismatch: revenue ${row!.revenue}, channel balances ${row!.balances} vs ${expectedRevenue}; ` +
          `audit rows ${row!.audit}, applied ${applied} vs ${N}`,
      );

    const eventsPerSecond = Math.round(N / (drainMs / 1000));
    const ledgerUs = instanceCpu.reduce((a, b) => a + b, 0);
    const ledgerUsPerEvent = ledgerUs / N;
    const postgresUsPerEvent = backendUs / N;
    console.log(
      JSON.stringify({
        events: N,
        channels: CHANNELS,
        partitions: PARTITIONS,
        instances: INSTANCES,
        publishEventsPerSecond: Math.round(N / (publishMs / 1000)),
        projectionMs: Math.round(drainMs),
        projectionEventsPerSecond: eventsPerSecond,
        ledgerCpuUsPerEvent: Number(ledgerUsPerEvent.toFixed(1)),
        postgresCpuUsPerEvent: Number(postgresUsPerEvent.toFixed(1)),
        eventsPerTransaction: Math.round(N / Math.max(transactions, 1)),
        loadAverage: [Number(loadBefore.toFixed(2)), Number(loadAfter.toFixed(2))],
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
        detail: `${N} balance proofs end to end, Kafka to Postgres, ${INSTANCES} instance(s)`,
      }),
    );
    console.log(
      `CPU per event: ledger ${ledgerUsPerEvent.toFixed(1)} µs + Postgres backends ${postgresUsPerEvent.toFixed(1)} µs` +
        ` = ${(ledgerUsPerEvent + postgresUsPerEvent).toFixed(1)} µs (load average ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)})`,
    );
    if (INSTANCES > 1)
      instances.forEach((instance, i) =>
        console.log(
          `instance ${i}: ${instance.applied} events applied (${((100 * instance.applied) / N).toFixed(1)} %), ` +
            `CPU ${(instanceCpu[i]! / 1000).toFixed(0)} ms = ${(instanceCpu[i]! / Math.max(instance.applied, 1)).toFixed(1)} µs per event it applied`,
        ),
      );
  } finally {
    await database.close();
    await db.drop();
    await deleteTopics(client, [topics.balanceProofs, topics.channels, topics.deadLetter]);
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
