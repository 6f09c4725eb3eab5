// Keep-alive load generator, in its own process so it does not share an event loop with what it measures.
// usage: node -r @swc-node/register bench/gateway/load-worker.ts <plan.json>
// Plan: { url, path, connections, requests: headers[][] (one list per connection, sent in order), urls? }; with
// `urls` (a fleet of replicas), connection i sends to urls[i % urls.length] instead of `url`.
// Prints one JSON line: { ok, failed, statuses, seconds, cpuSeconds, latenciesMs: { p50, p90, p99, max } };
// cpuSeconds is this process's own CPU while it sent (its start-up excluded).
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';

interface Plan {
  url: string;
  path: string;
  connections: number;
  /** Per connection, the headers of each request it sends in order (a paying client pays serially). */
  requests: Array<Array<Record<string, string>>>;
  timeLimitSeconds: number;
  /** Several origins (a fleet of replicas): connection i sends to urls[i % urls.length]. */
  urls?: string[];
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const plan = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Plan;
  const urls = plan.urls ?? [plan.url];
  const pools = urls.map(
    (url, i) =>
      new Pool(url, {
        connections: Math.ceil((plan.connections - i) / urls.length),
        pipelining: 1,
        keepAliveTimeout: 60_000,
      }),
  );
  const total = plan.requests.reduce((n, list) => n + list.length, 0);
  const latencies = new Float64Array(total);
  let recorded = 0;
  let failed = 0;
  const statuses: Record<string, number> = {};
  const deadline = Date.now() + plan.timeLimitSeconds * 1000;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    plan.requests.map(async (list, connection) => {
      const pool = pools[connection % pools.length]!;
      for (const headers of list) {
        if (Date.now() > deadline) return;
        const t0 = performance.now();
        try {
          const res = await pool.request({ path: plan.path, method: 'GET', headers });
          await res.body.dump();
          latencies[recorded++] = performance.now() - t0;
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        } catch {
          failed += 1;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await Promise.all(pools.map((p) => p.close()));
  const sorted = latencies.slice(0, recorded).sort();
  process.stdout.write(
    `${JSON.stringify({
      ok: recorded,
      failed,
      statuses,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      latenciesMs: {
        p50: percentile(sorted, 50),
        p90: percentile(sorted, 90),
        p99: percentile(sorted, 99),
        max: sorted.length ? sorted[sorted.length - 1] : 0,
      },
    })}\n`,
  );
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
