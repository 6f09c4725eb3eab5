// The stream bench's tables: CPU per fixed-price request and per streamed token, then per top-up step, by party,
// with Postgres commits, each also net of the idle background measured in the same run (the relay's polls, the
// shared broker's own work), which a long, slow stream would otherwise pile onto its tokens.
import type { CpuUse } from '../gateway/cpu-meter';
import type { BenchChannel } from '../gateway/bench-channels';
import type { ClientResult } from './stream-client';

/** One measured run of stream.ts. */
export interface MeasuredRun {
  readonly name: string;
  readonly mode: 'fixed' | 'stream' | 'idle';
  readonly result: ClientResult;
  readonly cpu: CpuUse;
  /** Postgres commits in this run's database from the previous window's end to a read after this run. */
  readonly commits: number;
  /** How long that interval was (the run, the client's start-up before it, the stats' flush after it). */
  readonly commitSeconds: number;
  readonly channels: readonly BenchChannel[];
}

/** The parties whose CPU is the payment's cost: the paywall process (its relay included), its backends, Kafka. */
const PAID_PARTIES = ['paywall', 'postgres', 'kafka'] as const;

const micros = (seconds: number, per: number) => (seconds * 1e6) / Math.max(1, per);
const cell = (value: number, width = 10, digits = 0) => value.toFixed(digits).padStart(width);

/** The idle run's CPU seconds and commits per second. */
function idleRates(idle: MeasuredRun | undefined): { cpu: CpuUse; commits: number } {
  if (idle === undefined) return { cpu: {}, commits: 0 };
  const s = idle.result.seconds;
  return {
    cpu: Object.fromEntries(Object.entries(idle.cpu).map(([party, cpu]) => [party, cpu / s])),
    commits: idle.commits / idle.commitSeconds,
  };
}

/** CPU seconds of the paying parties, and the same net of what they spend idle over as long. */
function paidCpu(run: MeasuredRun, idle: { cpu: CpuUse }): { sum: number; net: number } {
  const sum = PAID_PARTIES.reduce((total, party) => total + (run.cpu[party] ?? 0), 0);
  const background = PAID_PARTIES.reduce((total, party) => total + (idle.cpu[party] ?? 0), 0);
  return { sum, net: Math.max(0, sum - background * run.result.seconds) };
}

/** The run's commits less the idle ones of its counting interval (the relay's polls, mostly). */
const netCommits = (run: MeasuredRun, idle: { commits: number }) =>
  run.commits - idle.commits * run.commitSeconds;

/** Accepted proofs of a stream: the first one and each top-up (each authorises one step of k tokens). */
const stepsOf = (run: MeasuredRun) => run.result.topUps + 1;

export function formatStreamTables(runs: readonly MeasuredRun[]): string[] {
  const idleRun = runs.find((r) => r.mode === 'idle');
  const idle = idleRates(idleRun);
  const measured = runs.filter((r) => r.mode !== 'idle');
  const out: string[] = [''];
  const head = ['paywall', 'postgres', 'kafka', 'sum', 'net idle', 'pg other', 'client', 'commits'];
  out.push(
    `${'CPU µs per request (fixed) / token (stream)'.padEnd(46)}${'count'.padStart(7)}${'per s'.padStart(8)}` +
      head.map((h) => h.padStart(10)).join(''),
  );
  for (const run of measured) {
    const units = run.result.ok;
    const { sum, net } = paidCpu(run, idle);
    const commitsNet = netCommits(run, idle);
    out.push(
      `${run.name.padEnd(46)}${String(units).padStart(7)}${cell(units / run.result.seconds, 8)}` +
        ['paywall', 'postgres', 'kafka'].map((p) => cell(micros(run.cpu[p] ?? 0, units))).join('') +
        cell(micros(sum, units)) +
        cell(micros(net, units)) +
        cell(micros(run.cpu['pg other'] ?? 0, units)) +
        cell(micros(run.result.cpuSeconds, units)) +
        cell(commitsNet / Math.max(1, units), 10, 2),
    );
  }
  out.push('');
  out.push(
    `${'per accepted proof (stream: first + top-ups)'.padEnd(46)}${'proofs'.padStart(7)}${'tokens'.padStart(8)}` +
      ['sum µs', 'net idle', 'commits'].map((h) => h.padStart(10)).join(''),
  );
  for (const run of measured) {
    const proofs = run.mode === 'stream' ? stepsOf(run) : run.result.ok;
    const { sum, net } = paidCpu(run, idle);
    const commitsNet = netCommits(run, idle);
    out.push(
      `${run.name.padEnd(46)}${String(proofs).padStart(7)}${String(run.mode === 'stream' ? run.result.ok : '-').padStart(8)}` +
        cell(micros(sum, proofs)) +
        cell(micros(net, proofs)) +
        cell(commitsNet / Math.max(1, proofs), 10, 2),
    );
  }
  out.push('');
  out.push(
    `idle background (${idleRun?.result.seconds ?? 0} s with nothing running, before and after the runs): ` +
      ['paywall', 'postgres', 'kafka', 'pg other']
        .map((p) => `${p} ${((idle.cpu[p] ?? 0) * 1e3).toFixed(1)} ms/s`)
        .join(', ') +
      `, ${idle.commits.toFixed(1)} commits/s; "net idle" and commits subtract it over each run's duration`,
  );
  out.push(
    "sum = paywall process (its outbox relay included) + this database's Postgres backends + the Kafka broker; " +
      "pg other = the server's shared processes and other databases; client = the bench client (signing, SSE parsing)",
  );
  return out;
}
