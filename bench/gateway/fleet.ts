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
  /** Committed transactions of the bench's database so far (pg_stat_database, after its stats are flushed). */
  readonly commits: () => Promise<number>;
}

export interface FleetPoint {
  readonly replicas: number;
  readonly run: FleetRun;
  readonly commits: number;
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
    const before = await harness.commits();
    const run = await harness.paidRun(urls.slice(0, replicas), point);
    const non200 = Object.entries(run.statuses).filter(([status]) => status !== '200');
    if (run.failed > 0 || non200.length > 0)
      throw new Error(`fleet of ${replicas}: ${run.failed} failed, statuses ${JSON.stringify(run.statuses)}`);
    points.push({ replicas, run, commits: (await harness.commits()) - before });
  }
  return points;
}

/** The curve as a table, then target 5: Postgres CPU per paid request at the largest fleet vs one replica. */
export function printFleetCurve(points: readonly FleetPoint[], cores: number): void {
  const cols = ['paid/s', 'p50 ms', 'p99 ms', 'gateways', 'postgres', 'pg other', 'kafka', 'commits', 'busy'];
  console.log('');
  console.log('fleet scaling curve: CPU µs and Postgres commits per paid request; gateways = all replicas');
  console.log(`${'replicas'.padEnd(10)}${cols.map((c) => c.padStart(10)).join('')}`);
  for (const { replicas, run, commits } of points) {
    const per = (party: string) => cpuMicrosPerRequest(run, [party]).toFixed(0);
    const total = Object.values(run.cpu ?? {}).reduce((a, b) => a + b, 0);
    const cells = [
      (run.ok / run.seconds).toFixed(0),
      run.latenciesMs.p50.toFixed(2),
      run.latenciesMs.p99.toFixed(2),
      per('gateway'),
      per('postgres'),
      per('pg other'),
      per('kafka'),
      (commits / run.ok).toFixed(3),
      `${((total / run.seconds / cores) * 100).toFixed(0)} %`,
    ];
    console.log(`${String(replicas).padEnd(10)}${cells.map((c) => c.padStart(10)).join('')}`);
  }
  const first = points[0];
  const last = points[points.length - 1];
  if (first === undefined || last === undefined || first === last) return;
  const pg = (p: FleetPoint) => cpuMicrosPerRequest(p.run, ['postgres']);
  console.log(
    formatTarget({
      issue: 5,
      what: `Postgres cost per paid request, ${last.replicas} replicas vs ${first.replicas}`,
      measured: pg(last) / pg(first),
      bound: 'at most',
      // "Must not grow", with a 10 % allowance for this machine's run-to-run noise.
      target: 1.1,
      unit: 'x',
      digits: 2,
      detail:
        `Postgres backends ${pg(last).toFixed(0)} vs ${pg(first).toFixed(0)} µs CPU, ` +
        `${(last.commits / last.run.ok).toFixed(3)} vs ${(first.commits / first.run.ok).toFixed(3)} commits per paid request`,
    }),
  );
}
