// One ledger instance of bench:ledger, in a process of its own (as in production: its heap holds only what the
// projection holds, and its CPU is its own). Driven over IPC by bench/ledger/ledger.ts: it opens the database and
// says `ready`; on `go` it starts the projection (group join included) and reports every committed batch's applied
// events; on `report` it answers its CPU since `go`; on `stop` it stops the projection and exits.
import 'reflect-metadata';
import type { KafkaClientOptions } from '@microraiden/kafka';
import { openLedgerDatabase, startLedgerProjection, type LedgerTopics } from '@microraiden/ledger';

/** What the parent passes in `BENCH_LEDGER_INSTANCE` (JSON). */
export interface InstanceSpec {
  index: number;
  databaseUrl: string;
  client: KafkaClientOptions;
  groupId: string;
  topics: LedgerTopics;
  maxBatchSize?: number;
  partitionsConcurrently?: number;
}

/** Messages from an instance to the parent. */
export type InstanceMessage =
  { kind: 'ready'; pid: number } | { kind: 'applied'; count: number } | { kind: 'cpu'; us: number };

/** Messages from the parent to an instance. */
export type ParentMessage = { kind: 'go' } | { kind: 'report' } | { kind: 'stop' };

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.BENCH_LEDGER_INSTANCE ?? '') as InstanceSpec;
  const send = (message: InstanceMessage) => process.send!(message);
  const database = openLedgerDatabase(spec.databaseUrl);
  await database.query('SELECT 1');
  let cpuAtGo: NodeJS.CpuUsage | undefined;
  let projection: Awaited<ReturnType<typeof startLedgerProjection>> | undefined;
  process.on('message', (message: ParentMessage) => {
    if (message.kind === 'go') {
      cpuAtGo = process.cpuUsage();
      void startLedgerProjection({
        database,
        client: spec.client,
        groupId: spec.groupId,
        topics: spec.topics,
        maxWaitTimeMs: 100,
        ...(spec.maxBatchSize ? { maxBatchSize: spec.maxBatchSize } : {}),
        ...(spec.partitionsConcurrently ? { partitionsConcurrently: spec.partitionsConcurrently } : {}),
        onBatch: (result) => {
          let count = 0;
          for (const c of result.counts) if (c.outcome === 'applied') count += c.count;
          if (count > 0) send({ kind: 'applied', count });
        },
      }).then((started) => (projection = started));
    } else if (message.kind === 'report') {
      const cpu = process.cpuUsage(cpuAtGo);
      send({ kind: 'cpu', us: cpu.user + cpu.system });
    } else if (message.kind === 'stop') {
      void (async () => {
        await projection?.stop();
        await database.close();
        process.exit(0);
      })();
    }
  });
  send({ kind: 'ready', pid: process.pid });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
