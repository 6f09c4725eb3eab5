// Issue 14 target 5: the fleet scaling curve. 1, 2, 4 ... gateway replicas on one Postgres, the same paid load
// spread over them (connection i to replica i mod R), each point's paid/s and what a paid request costs Postgres:
// its backends' CPU and its transactions (pg_stat_database), which batching across fewer replicas amortizes.
import { formatTarget } from '../target';
import { cpuMicrosPerRequest, type RunMeasure } from './targets';

/** One point's paid load run, as bench/gateway/gateway.ts's load() returns it. */
export interface FleetRun extends RunMeasure {
  readonly seconds: number;
  readonly failed: number;
  readonly statuses: Record<string, number>;
  readonly latenciesMs: { readonly p50: number; readonly p99: number };
}

/** What the curve needs from the gateway bench's harness. */
export interface FleetHarness {
  /** Starts one more replica (ready, warmed up) and returns its URL. */
  readonly addReplica: (index: number) => Promise<string>;
  /** Sends the point's paid load (fresh proofs each call) spread over `urls`. */
  readonly paidRun: (urls: string[], point: number) => Promise<FleetRun>;
  /**
   * The database's counters so far: `at: 'start'` reads the CPU last (after waiting for the statistics), `'end'`
   * first, so the wait's idle polling is not charged to the run.
   */
  readonly sample: (at: 'start' | 'end') => Promise<PostgresSample>;
}

/** Cumulative Postgres counters of the bench's database. */
export interface PostgresSample {
  /** Committed transactions (pg_stat_database.xact_commit, after the backends flushed their statistics). */
  readonly commits: number;
  /** WAL flushes of the whole server (pg_stat_wal.wal_sync): other databases' too, so only roughly ours. */
  readonly walSyncs: number;
  /** CPU seconds of this database's backends by pid, each with its `application_name`. */
  readonly backends: ReadonlyMap<number, { readonly application: string; readonly cpuSeconds: number }>;
}

export interface FleetPoint {
  readonly replicas: number;
  readonly run: FleetRun;
  readonly commits: number;
  readonly walSyncs: number;
  /** Backend CPU seconds by application_name: `gateway` acceptances and reads, `outbox-relay`, the rest. */
  readonly backendCpu: Readonly<Record<string, number>>;
}

/** What the backends of `end` spent since `start`, summed by application_name (a new backend started at 0). */
export function backendCpuBetween(start: PostgresSample, end: PostgresSample): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [pid, { application, cpuSeconds }] of end.backends) {
    const before = start.backends.get(pid)?.cpuSeconds ?? 0;
    out[application] = (out[application] ?? 0) + cpuSeconds - before;
  }
  return out;
}

/** Runs the curve in increasing replica counts: a point's replicas are the previous point's plus new ones. */
export async function runFleetCurve(
  harness: FleetHarness,
  firstUrl: string,
  counts: readonly number[],
): Promise<FleetPoint[]> {
  const urls = [firstUrl];
  const points: FleetPoint[] = [];
  for (const [point, replicas] of [...counts].sort((a, b) => a - b).entries()) {
    while (urls.length < replicas) urls.push(await harness.addReplica(urls.length));
    const before = await harness.sample('start');
    const run = await harness.paidRun(urls.slice(0, replicas), point);
    const after = await harness.sample('end');
    const non200 = Object.entries(run.statuses).filter(([status]) => status !== '200');
    if (run.failed > 0 || non200.length > 0)
      throw new Error(`fleet of ${replicas}: ${run.failed} failed, statuses ${JSON.stringify(run.statuses)}`);
    points.push({
      replicas,
      run,
      commits: after.commits - before.commits,
      walSyncs: after.walSyncs - before.walSyncs,
      backendCpu: backendCpuBetween(before, after),
    });
  }
  return points;
}

/** µs of backend CPU per paid request of the backends named `application` (application_name). */
function backendMicros(point: FleetPoint, application: string): number {
  return point.run.ok === 0 ? Number.NaN : ((point.backendCpu[application] ?? 0) * 1e6) / point.run.ok;
}

/**
 * The curve as a table, then target 5: Postgres CPU per paid request at the largest fleet vs one replica. The
 * Postgres column is split by the backends' application_name: `pg accept` the replicas' pools (acceptances, and the
 * few channel reads), `pg relay` the outbox relays; `commits` and `wal syncs` are per paid request.
 */
export function printFleetCurve(points: readonly FleetPoint[], cores: number): void {
  const cols = [
    'paid/s',
    'p50 ms',
    'p99 ms',
    'gateways',
    'postgres',
    'pg accept',
    'pg relay',
    'pg other',
    'kafka',
    'commits',
    'wal syncs',
    'busy',
  ];
  console.log('');
  console.log('fleet scaling curve: CPU µs and Postgres commits per paid request; gateways = all replicas');
  console.log(`${'replicas'.padEnd(10)}${cols.map((c) => c.padStart(10)).join('')}`);
  for (const point of points) {
    const { replicas, run, commits, walSyncs } = point;
    const per = (party: string) => cpuMicrosPerRequest(run, [party]).toFixed(0);
    const total = Object.values(run.cpu ?? {}).reduce((a, b) => a + b, 0);
    const cells = [
      (run.ok / run.seconds).toFixed(0),
      run.latenciesMs.p50.toFixed(2),
      run.latenciesMs.p99.toFixed(2),
      per('gateway'),
      per('postgres'),
      backendMicros(point, 'gateway').toFixed(0),
      backendMicros(point, 'outbox-relay').toFixed(0),
      per('pg other'),
      per('kafka'),
      (commits / run.ok).toFixed(3),
      (walSyncs / run.ok).toFixed(3),
      `${((total / run.seconds / cores) * 100).toFixed(0)} %`,
    ];
    console.log(`${String(replicas).padEnd(10)}${cells.map((c) => c.padStart(10)).join('')}`);
  }
  const first = points[0];
  const last = points[points.length - 1];
  if (first === undefined || last === undefined || first === last) return;
  const pg = (p: FleetPoint) => cpuMicrosPerRequest(p.run, ['postgres']);
  const accept = (p: FleetPoint) => backendMicros(p, 'gateway');
  console.log(
    formatTarget({
      issue: 5,
      what: `Postgres cost per paid request, ${last.replicas} replicas vs ${first.replicas}`,
      measured: pg(last) / pg(first),
      bound: 'at most',
      target: FLEET_GROWTH_BOUND,
      unit: 'x',
      digits: 2,
      detail:
        `Postgres backends ${pg(last).toFixed(0)} vs ${pg(first).toFixed(0)} µs CPU ` +
        `(acceptance pools ${accept(last).toFixed(0)} vs ${accept(first).toFixed(0)}: ` +
        `${(accept(last) / accept(first)).toFixed(2)}x), ` +
        `${(last.commits / last.run.ok).toFixed(3)} vs ${(first.commits / first.run.ok).toFixed(3)} commits per paid request`,
    }),
  );
}

/** "Must not grow", with an allowance for this shared machine's run-to-run noise in CPU per request. */
export const FLEET_GROWTH_BOUND = 1.1;
