// Issue 14's targets 1 and 3 from one bench:gateway run, as bench/target.ts lines.
import type { Target } from '../target';
import type { CpuUse } from './cpu-meter';

/** What a load run measured that the targets need. */
export interface RunMeasure {
  readonly ok: number;
  readonly latenciesMs: { readonly p99: number };
  readonly cpu?: CpuUse;
}

/**
 * The processes that do payment work in either mode: both paywall processes (each runs an outbox relay, and
 * either may publish the other's rows), this database's Postgres backends and the Kafka broker. The upstream and
 * the load generator are not the paywall's cost.
 */
export const PAYWALL_SIDE = ['gateway', 'embedded', 'postgres', 'kafka'] as const;

/** CPU µs per served request of `parties` over one run. */
export function cpuMicrosPerRequest(run: RunMeasure, parties: readonly string[]): number {
  if (run.cpu === undefined || run.ok === 0) return Number.NaN;
  const seconds = parties.reduce((sum, p) => sum + (run.cpu?.[p] ?? 0), 0);
  return (seconds * 1e6) / run.ok;
}

/**
 * Target 1: the paywall side's CPU per paid request minus the same processes' CPU per request serving the same
 * route unpaid (the proxy's free route; the embedding app's free route through the same middleware).
 */
export function paymentWorkTarget(mode: string, paid: RunMeasure, unpaid: RunMeasure): Target {
  const per = (party: string) => cpuMicrosPerRequest(paid, [party]) - cpuMicrosPerRequest(unpaid, [party]);
  return {
    issue: 1,
    what: `payment work, ${mode}`,
    measured: cpuMicrosPerRequest(paid, PAYWALL_SIDE) - cpuMicrosPerRequest(unpaid, PAYWALL_SIDE),
    bound: 'at most',
    target: 250,
    unit: 'µs CPU per paid request',
    detail:
      `paid minus unpaid, µs: ${PAYWALL_SIDE.map((p) => `${p} ${per(p).toFixed(0)}`).join(', ')}; ` +
      `paid ${cpuMicrosPerRequest(paid, PAYWALL_SIDE).toFixed(0)}, unpaid ${cpuMicrosPerRequest(unpaid, PAYWALL_SIDE).toFixed(0)}`,
  };
}

/** Target 3: serial added latency p99 (paid serial minus the upstream serial) against the commit floor p99 + 1 ms. */
export function addedLatencyTarget(
  mode: string,
  paidSerial: RunMeasure,
  directSerial: RunMeasure,
  commitFloor: RunMeasure,
): Target {
  return {
    issue: 3,
    what: `serial added latency p99, ${mode}`,
    measured: paidSerial.latenciesMs.p99 - directSerial.latenciesMs.p99,
    bound: 'at most',
    target: commitFloor.latenciesMs.p99 + 1,
    unit: 'ms',
    digits: 2,
    detail:
      `paid serial p99 ${paidSerial.latenciesMs.p99.toFixed(2)} − upstream serial p99 ` +
      `${directSerial.latenciesMs.p99.toFixed(2)}; target = commit floor p99 ${commitFloor.latenciesMs.p99.toFixed(2)} + 1`,
  };
}

/**
 * Issue 12's number: what a metered request costs against the fixed-price path, both as payment work (the paywall
 * side's CPU per request minus the same route unpaid) in one run of the embedded paywall.
 */
export function meteredWorkLine(metered: RunMeasure, fixed: RunMeasure, unpaid: RunMeasure): string {
  const work = (paid: RunMeasure) =>
    cpuMicrosPerRequest(paid, PAYWALL_SIDE) - cpuMicrosPerRequest(unpaid, PAYWALL_SIDE);
  const m = work(metered);
  const f = work(fixed);
  return (
    `metered vs fixed price, embedded: payment work ${m.toFixed(0)} µs vs ${f.toFixed(0)} µs CPU per paid request ` +
    `(${(m - f >= 0 ? '+' : '') + (m - f).toFixed(0)} µs)`
  );
}
