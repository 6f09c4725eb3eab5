// The local stack's two fronts side by side: HAProxy (deploy/stack/haproxy-config.ts) and the old round-robin
// front (deploy/stack/round-robin.ts), over the same two stand-in replicas (bench/front/replica.ts), each driven by
// the same keep-alive load generator (bench/gateway/load-worker.ts) in its own process, rounds interleaved so a
// noisy neighbour hurts both alike. Half the requests carry a payment header (HAProxy's paid backend).
// Prints requests/s, latency p50/p99 and the front process's CPU per request; a direct run against one replica is
// the floor. Run: npm run bench:front   (BENCH_ROUNDS 3, BENCH_CONNECTIONS 16, BENCH_REQUESTS 400 per connection)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, repoRoot } from '@microraiden/testing';
import { frontSpec } from '../../deploy/stack/front-spec';
import { ServiceProcess, type ServiceSpec } from '../../deploy/stack/service-process';
import { CpuMeter } from '../gateway/cpu-meter';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const REQUESTS_PER_CONNECTION = Number(process.env.BENCH_REQUESTS ?? 400);
const ROOT = repoRoot();

interface LoadResult {
  ok: number;
  failed: number;
  statuses: Record<string, number>;
  seconds: number;
  latenciesMs: { p50: number; p99: number };
}

interface Row {
  front: string;
  rps: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  failed: number;
}

/** The request headers: every other one "paid" (a payment header the stand-in ignores). */
function plan(url: string, requests: number): object {
  return {
    url,
    path: '/api/fortune',
    connections: CONNECTIONS,
    timeLimitSeconds: 120,
    requests: Array.from({ length: CONNECTIONS }, () =>
      Array.from({ length: requests }, (_, i) =>
        i % 2 === 0 ? {} : { 'rdn-balance-signature': `0x${'ab'.repeat(65)}` },
      ),
    ),
  };
}

function runLoad(planFile: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = spawn(
      process.execPath,
      ['-r', '@swc-node/register', 'bench/gateway/load-worker.ts', planFile],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    worker.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    worker.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load worker exited ${code}`)),
    );
  });
}

async function measure(
  name: string,
  url: string,
  pid: number | undefined,
  dir: string,
  requests: number,
): Promise<Row> {
  const planFile = path.join(dir, `${name}.json`);
  writeFileSync(planFile, JSON.stringify(plan(url, requests)));
  const meter = new CpuMeter([{ name, pids: () => (pid === undefined ? [] : [pid]) }]);
  const { result, cpu } = await meter.measure(() => runLoad(planFile));
  return {
    front: name,
    rps: result.ok / result.seconds,
    p50: result.latenciesMs.p50,
    p99: result.latenciesMs.p99,
    cpuMsPerRequest: pid === undefined ? 0 : ((cpu[name] ?? 0) * 1000) / result.ok,
    failed: result.failed + result.ok - (result.statuses['200'] ?? 0),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-front-'));
  const started: ServiceProcess[] = [];
  const start = async (spec: ServiceSpec) => {
    const child = await ServiceProcess.start(spec, ROOT, dir, 'a free port');
    started.push(child);
    await child.waitReady(60_000);
    return child;
  };
  try {
    const replicaPorts = [await freePort(), await freePort()];
    for (const [i, port] of replicaPorts.entries())
      await start({
        name: `replica-${i + 1}`,
        entry: 'bench/front/replica.ts',
        port,
        readyPath: '/health/ready',
        env: { PORT: String(port) },
      });
    const haproxy = frontSpec({
      port: await freePort(),
      gatewayPorts: replicaPorts,
      configFile: path.join(dir, 'haproxy.cfg'),
    });
    if (haproxy.kind !== 'haproxy') throw new Error('haproxy is not installed (apt-get install haproxy)');
    const roundRobin = frontSpec({
      port: await freePort(),
      gatewayPorts: replicaPorts,
      configFile: path.join(dir, 'unused.cfg'),
      env: { ...process.env, FRONT: 'round-robin' },
    });
    const fronts = [
      { name: 'haproxy', process: await start({ ...haproxy.spec, name: 'haproxy' }) },
      { name: 'round-robin', process: await start({ ...roundRobin.spec, name: 'round-robin' }) },
    ];
    const direct = `http://127.0.0.1:${replicaPorts[0]}`;
    console.log(
      `bench/front: ${ROUNDS} rounds x ${CONNECTIONS} connections x ${REQUESTS_PER_CONNECTION} requests, CPUs ${os.cpus().length}, load ${os.loadavg()[0]!.toFixed(1)}`,
    );
    // Warm-up: JIT, keep-alive pools, HAProxy's health checks settled.
    for (const front of fronts) await measure(front.name, front.process.url, front.process.pid, dir, 50);
    const rows: Row[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? fronts : [...fronts].reverse();
      for (const front of order)
        rows.push(
          await measure(front.name, front.process.url, front.process.pid, dir, REQUESTS_PER_CONNECTION),
        );
      rows.push(await measure('direct', direct, undefined, dir, REQUESTS_PER_CONNECTION));
    }
    console.log('front        round  req/s   p50 ms  p99 ms  front CPU ms/req  failed');
    rows.forEach((row, i) => {
      const round = Math.floor(i / 3) + 1;
      console.log(
        `${row.front.padEnd(12)} ${String(round).padStart(5)}  ${row.rps.toFixed(0).padStart(6)}  ${row.p50.toFixed(2).padStart(6)}  ${row.p99.toFixed(2).padStart(6)}  ${row.front === 'direct' ? '               -' : row.cpuMsPerRequest.toFixed(3).padStart(16)}  ${String(row.failed).padStart(6)}`,
      );
    });
  } finally {
    for (const child of started.reverse()) await child.stop(5_000);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(err.stack);
  process.exit(1);
});
