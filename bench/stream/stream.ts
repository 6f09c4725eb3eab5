// CPU per streamed token step against the fixed-price path (issue 12), in one run: the paywall embedded in an app
// (bench/stream/stream-app.ts) serves a fixed-price route and the completion of examples/completion on streamed
// routes with a top-up every k tokens; a client process (stream-client.ts) sends (a) fixed-price paid requests and
// (b) one long completion per k, read with the client SDK's paidStream. Real Postgres and Kafka (and anvil) from
// KAFKA_BROKERS/DATABASE_URL/RPC_URL or started like the integration tests; channels are announced to a gateway
// replica by channel.created events, as bench/gateway does, and the replica stops once it projected them, so the
// paywall process (its own outbox relay included), this run's Postgres backends and the broker are all that work.
// Run: npm run bench:stream  (BENCH_STREAM_STEPS=1,10, BENCH_STREAM_TOKENS, BENCH_FIXED_REQUESTS,
// BENCH_FIXED_CONNECTIONS; BENCH_DB_PREFIX and BENCH_TOPIC_PREFIX name the run's database and topics)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deleteTopics, ensureTopics } from '@microraiden/kafka';
import { migrateGatewaySchema } from '@microraiden/paywall';
import { privateKeyToAddress, type Address, type Hex32 } from '@microraiden/protocol';
import { ensureInfrastructure, freePort, repoRoot, uniqueTopic, waitFor } from '@microraiden/testing';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { Client as Postgres, Pool } from 'pg';
import { CpuMeter, pidListeningOn } from '../gateway/cpu-meter';
import { announceChannels, BENCH_DEPLOYMENT, type BenchChannel } from '../gateway/bench-channels';
import type { ClientPlan, ClientResult } from './stream-client';
import { formatStreamTables, type MeasuredRun } from './stream-report';

const STEPS = (process.env.BENCH_STREAM_STEPS ?? '1,10').split(',').map(Number);
const TOKENS = Number(process.env.BENCH_STREAM_TOKENS ?? 2000);
const FIXED = Number(process.env.BENCH_FIXED_REQUESTS ?? 2000);
const FIXED_CONNECTIONS = Number(process.env.BENCH_FIXED_CONNECTIONS ?? 8);
const DB_PREFIX = process.env.BENCH_DB_PREFIX ?? 'bench_stream';
const TOPIC_PREFIX = process.env.BENCH_TOPIC_PREFIX ?? '';
/** One token costs what one fixed-price request does. */
const PRICE = 1000n;
const UNIT_PRICE = 1000n;
const ROOT = repoRoot();
const RECEIVER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const receiver = privateKeyToAddress(RECEIVER_KEY);
const deployment = BENCH_DEPLOYMENT;

const children: ChildProcess[] = [];
let paywallPid: number | undefined;
let kafkaPids: number[] = [];
/** This run's database's client backends (the server's shared processes and other databases: "pg other"). */
let ourBackends: number[] = [];
const cpuMeter = new CpuMeter([
  { name: 'paywall', pids: () => (paywallPid === undefined ? [] : [paywallPid]) },
  { name: 'postgres', pids: () => ourBackends },
  { name: 'pg other', commandLine: /^(\S*\/)?postgres\b/ },
  { name: 'kafka', pids: () => kafkaPids },
]);

function node(script: string, env: Record<string, string> = {}, args: string[] = []): ChildProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

/** The child's stdout lines, one at a time; rejects when it exits first (with its stderr). */
function lines(child: ChildProcess): () => Promise<string> {
  let out = '';
  let err = '';
  const waiting: Array<{ resolve: (line: string) => void; reject: (e: Error) => void }> = [];
  const ready: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      const next = waiting.shift();
      if (next) next.resolve(line);
      else ready.push(line);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-4000)));
  child.once('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`process exited ${code}: ${err}`));
  });
  return () =>
    ready.length > 0
      ? Promise.resolve(ready.shift()!)
      : child.exitCode !== null
        ? Promise.reject(new Error(`process exited ${child.exitCode}: ${err}`))
        : new Promise((resolve, reject) => waiting.push({ resolve, reject }));
}

function benchChannel(name: string): BenchChannel {
  const hash = (text: string) => Buffer.from(keccak_256(new TextEncoder().encode(text))).toString('hex');
  const senderKey = `0x${hash(`bench-stream-sender-${name}`)}`;
  const channelId = `0x${hash(`bench-stream-channel-${name}-${Date.now()}`)}` as Hex32;
  return { channelId, senderKey, sender: privateKeyToAddress(senderKey) };
}

/** Everything one run shares: the database pool, the paywall's URL, the config directory. */
interface BenchContext {
  readonly pool: Pool;
  readonly dbName: string;
  readonly paywallUrl: string;
  readonly dir: string;
}

/**
 * Postgres (15) backends flush their counters at most once a second, and a backend that went idle with some pending
 * only after 10 s: a read sooner after a run misses some of its commits and hands them to the next run.
 */
const STATS_FLUSH_MS = 11_000;
/** The last read of the commit counter: the next window starts there (so no commit falls between two windows). */
let lastCommitRead: { commits: number; at: number } | undefined;

async function readCommits(ctx: BenchContext): Promise<{ commits: number; at: number }> {
  await new Promise((resolve) => setTimeout(resolve, STATS_FLUSH_MS));
  const { rows } = await ctx.pool.query<{ n: string }>(
    'SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  lastCommitRead = { commits: Number(rows[0]!.n), at: performance.now() };
  return lastCommitRead;
}

/** Counts the commits of `run` from the end of the last window (or a fresh read) to a read after it. */
async function countingCommits<T>(
  ctx: BenchContext,
  run: () => Promise<T>,
): Promise<{ value: T; commits: number; seconds: number }> {
  const before = lastCommitRead ?? (await readCommits(ctx));
  const value = await run();
  const after = await readCommits(ctx);
  // The read itself is one commit, counted in the next read.
  return { value, commits: after.commits - before.commits - 1, seconds: (after.at - before.at) / 1000 };
}

async function refreshBackends(ctx: BenchContext): Promise<void> {
  const { rows } = await ctx.pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`,
    [ctx.dbName],
  );
  ourBackends = rows.map((r) => r.pid);
}

async function outboxDrained(ctx: BenchContext): Promise<void> {
  await waitFor(
    'the outbox to drain',
    async () =>
      (await ctx.pool.query('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')).rows[0].n ===
      0,
    { timeoutMs: 60_000, intervalMs: 50 },
  );
}

/**
 * One client run: the client sets up (signs, compiles) outside the CPU window, which spans the run and the outbox
 * relay publishing its rows; commits are counted from the previous window's end to a read after this one (the
 * idle commits of that interval are subtracted in the report). Warm-ups count no commits.
 */
async function measure(
  ctx: BenchContext,
  name: string,
  plan: Omit<ClientPlan, 'chainId' | 'channelManager' | 'receiver' | 'token'>,
  warmUp = false,
): Promise<MeasuredRun> {
  const planFile = path.join(ctx.dir, `${name.replace(/\W+/g, '-')}.json`);
  const full: ClientPlan = {
    ...plan,
    chainId: String(deployment.chainId),
    channelManager: deployment.channelManager,
    receiver,
    token: deployment.token as Address,
  };
  writeFileSync(planFile, JSON.stringify(full));
  const client = node('bench/stream/stream-client.ts', {}, [planFile]);
  const next = lines(client);
  if ((await next()) !== 'ready') throw new Error(`${name}: the client did not get ready`);
  await refreshBackends(ctx);
  const run = () =>
    cpuMeter.measure(async () => {
      client.stdin!.write('go\n');
      const measured = JSON.parse(await next()) as ClientResult;
      await outboxDrained(ctx);
      return measured;
    });
  if (warmUp) {
    const { result, cpu } = await run();
    return { name, mode: plan.mode, result, cpu, commits: 0, commitSeconds: 0, channels: plan.channels };
  }
  const { value, commits, seconds } = await countingCommits(ctx, run);
  const { result, cpu } = value;
  return { name, mode: plan.mode, result, cpu, commits, commitSeconds: seconds, channels: plan.channels };
}

/** The idle background over `seconds`: the relay's polls, the broker's own work, other databases. */
async function idle(ctx: BenchContext, seconds: number): Promise<MeasuredRun> {
  await refreshBackends(ctx);
  const {
    value,
    commits,
    seconds: commitSeconds,
  } = await countingCommits(ctx, () =>
    cpuMeter.measure(() => new Promise((resolve) => setTimeout(resolve, seconds * 1000))),
  );
  const { cpu } = value;
  const result: ClientResult = {
    ok: 0,
    failed: 0,
    topUps: 0,
    units: 0,
    cost: '0',
    spent: '0',
    seconds,
    cpuSeconds: 0,
  };
  return { name: 'idle', mode: 'idle', result, cpu, commits, commitSeconds, channels: [] };
}

function mergeIdle(a: MeasuredRun, b: MeasuredRun): MeasuredRun {
  const cpu = Object.fromEntries(
    Object.keys(a.cpu).map((party) => [party, a.cpu[party]! + (b.cpu[party] ?? 0)]),
  );
  const result = { ...a.result, seconds: a.result.seconds + b.result.seconds };
  return {
    ...a,
    cpu,
    result,
    commits: a.commits + b.commits,
    commitSeconds: a.commitSeconds + b.commitSeconds,
  };
}

/** A gateway replica projects the bench channels (channel.created on Kafka) into the shared table, then stops. */
async function projectBenchChannels(
  ctx: { pool: Pool; dbUrl: string; dir: string; brokers: string; upstreamUrl: string },
  topics: Record<string, string>,
  channels: readonly BenchChannel[],
): Promise<void> {
  const deploymentFile = path.join(ctx.dir, 'deployment.json');
  const routesFile = path.join(ctx.dir, 'routes.json');
  writeFileSync(routesFile, JSON.stringify({ routes: [{ path: '/unused', price: '1' }] }));
  const port = await freePort();
  const gateway = node('services/gateway/src/main.ts', {
    ...topics,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    DATABASE_URL: ctx.dbUrl,
    KAFKA_BROKERS: ctx.brokers,
    DEPLOYMENT_FILE: deploymentFile,
    ROUTES_FILE: routesFile,
    // Its readiness wants an answering upstream: the paywall app, whose routes it never serves.
    UPSTREAM_URL: ctx.upstreamUrl,
    MICRORAIDEN_DEV: '1',
    RECEIVER_PRIVATE_KEY: RECEIVER_KEY,
    TOPIC_PARTITIONS: '1',
    GATEWAY_ID: 'bench-stream-projector',
  });
  lines(gateway);
  let last = '';
  await waitFor(
    'the gateway to be ready',
    async () => {
      if (gateway.exitCode !== null) throw new Error('the gateway exited');
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
      last = res === undefined ? 'no answer' : `${res.status} ${await res.text()}`;
      return res?.status === 200;
    },
    { timeoutMs: 90_000, intervalMs: 250 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; its readiness: ${last}`);
  });
  await announceChannels(
    { brokers: ctx.brokers.split(','), clientId: 'bench-stream' },
    topics.CHANNELS_TOPIC!,
    receiver,
    channels,
  );
  await waitFor(
    'the gateway to know every channel',
    async () =>
      (await ctx.pool.query('SELECT count(*)::int AS n FROM gateway_channels WHERE confirmed')).rows[0].n ===
      channels.length,
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  gateway.kill('SIGTERM');
  await new Promise((resolve) => (gateway.exitCode !== null ? resolve(null) : gateway.once('exit', resolve)));
}

/** Each channel's accepted (S) and charged (C) balance must be what its client was told. */
async function checkAccounting(ctx: BenchContext, runs: readonly MeasuredRun[]): Promise<void> {
  for (const run of runs) {
    for (const channel of run.channels) {
      const { rows } = await ctx.pool.query<{ s: string; c: string }>(
        'SELECT accepted_balance::text AS s, charged_balance::text AS c FROM gateway_channels WHERE channel_id = $1',
        [channel.channelId],
      );
      const S = BigInt(rows[0]!.s);
      const C = BigInt(rows[0]!.c);
      const r = run.result;
      const expected =
        run.mode === 'fixed'
          ? { S: BigInt(r.ok / run.channels.length) * PRICE, C: BigInt(r.ok / run.channels.length) * PRICE }
          : { S: BigInt(r.spent), C: BigInt(r.ok) * UNIT_PRICE };
      if (S !== expected.S || C !== expected.C || (run.mode === 'stream' && BigInt(r.cost) !== C))
        throw new Error(`${run.name}: accounting mismatch: S ${S}, C ${C}, expected ${JSON.stringify(r)}`);
    }
  }
}

/** Creates the run's topics; a busy shared broker sometimes answers a fresh topic's metadata late: ask again. */
async function createTopics(brokers: string, names: readonly string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureTopics(
        { brokers: brokers.split(','), clientId: 'bench-stream' },
        names.map((name) => ({ name, partitions: 1 })),
      );
      return;
    } catch (err) {
      if (attempt === 3) throw err;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

/** The paywall process on the announced channels' database; returns its URL. */
async function startPaywall(dbUrl: string, brokers: string, topic: string, dir: string): Promise<string> {
  const app = node('bench/stream/stream-app.ts', {
    DATABASE_URL: dbUrl,
    KAFKA_BROKERS: brokers,
    BALANCE_PROOFS_TOPIC: topic,
    RECEIVER: receiver,
    DEPLOYMENT_FILE: path.join(dir, 'deployment.json'),
    PRICE: PRICE.toString(),
    UNIT_PRICE: UNIT_PRICE.toString(),
    STEPS: STEPS.join(','),
  });
  paywallPid = app.pid;
  return `http://127.0.0.1:${Number(await lines(app)())}`;
}

/** The runs, warm-ups first (JIT, pools, prepared statements), then measured: idle, fixed, one stream per k. */
async function runAll(ctx: BenchContext, channels: Map<string, BenchChannel[]>): Promise<MeasuredRun[]> {
  const fixedUrl = `${ctx.paywallUrl}/api/weather`;
  const streamUrl = (k: number, tokens: number) => `${ctx.paywallUrl}/v1/complete-${k}?max_tokens=${tokens}`;
  const fixedPlan = (name: string, count: number) =>
    ({
      mode: 'fixed',
      url: fixedUrl,
      channels: channels.get(name)!,
      count,
      price: PRICE.toString(),
      budget: '0',
    }) as const;
  const streamPlan = (name: string, k: number, tokens: number) =>
    ({
      mode: 'stream',
      url: streamUrl(k, tokens),
      channels: channels.get(name)!,
      count: tokens,
      price: '0',
      budget: (BigInt(tokens + k) * UNIT_PRICE).toString(),
    }) as const;
  await measure(ctx, 'warm fixed', fixedPlan('warm fixed', 300), true);
  for (const k of STEPS) await measure(ctx, `warm k=${k}`, streamPlan(`warm k=${k}`, k, 300), true);
  const idleBefore = await idle(ctx, 4);
  const runs: MeasuredRun[] = [];
  runs.push(await measure(ctx, 'fixed price, 1 conn (serial)', fixedPlan('fixed serial', FIXED)));
  runs.push(
    await measure(
      ctx,
      `fixed price, ${FIXED_CONNECTIONS} conn`,
      fixedPlan('fixed concurrent', Math.ceil(FIXED / FIXED_CONNECTIONS)),
    ),
  );
  for (const k of STEPS)
    runs.push(await measure(ctx, `stream, top-up every ${k}`, streamPlan(`stream k=${k}`, k, TOKENS)));
  // The background before and after the runs together: a JIT or GC burst in one window weighs half.
  return [mergeIdle(idleBefore, await idle(ctx, 4)), ...runs];
}

function channelSets(): Map<string, BenchChannel[]> {
  const sets = new Map<string, BenchChannel[]>([
    ['warm fixed', [benchChannel('warm-fixed')]],
    ['fixed serial', [benchChannel('fixed-serial')]],
    ['fixed concurrent', Array.from({ length: FIXED_CONNECTIONS }, (_, i) => benchChannel(`fixed-${i}`))],
  ]);
  for (const k of STEPS) {
    sets.set(`warm k=${k}`, [benchChannel(`warm-${k}`)]);
    sets.set(`stream k=${k}`, [benchChannel(`stream-${k}`)]);
  }
  return sets;
}

async function main(): Promise<void> {
  console.log(
    `stream bench: ${os.cpus().length} cores; fixed price ${FIXED} requests (serial, then ${FIXED_CONNECTIONS} connections); ` +
      `one completion of ${TOKENS} tokens per step size k = ${STEPS.join(', ')}; price ${PRICE} = unit price ${UNIT_PRICE}`,
  );
  const { infra, stop } = await ensureInfrastructure();
  const dbName = `${DB_PREFIX}_${Date.now().toString(36)}`;
  const admin = new Postgres({ connectionString: infra.databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(infra.databaseUrl);
  dbUrl.pathname = `/${dbName}`;
  const pool = new Pool({ connectionString: dbUrl.toString(), max: 2 });
  // DROP DATABASE ... WITH (FORCE) at the end ends any session still open; that is not a failure of the run.
  pool.on('error', () => undefined);
  const brokers = infra.kafkaBrokers;
  const brokerPid = pidListeningOn(Number(new URL(`kafka://${brokers.split(',')[0]}`).port));
  kafkaPids = brokerPid === undefined ? [] : [brokerPid];
  if (brokerPid === undefined)
    console.log(`no local process listens on ${brokers}: Kafka's CPU is not measured`);
  const topics = {
    CHANNELS_TOPIC: uniqueTopic(`${TOPIC_PREFIX}bench-stream.channels`),
    BALANCE_PROOFS_TOPIC: uniqueTopic(`${TOPIC_PREFIX}bench-stream.balance-proofs`),
    DEAD_LETTER_TOPIC: uniqueTopic(`${TOPIC_PREFIX}bench-stream.dead-letter`),
    KAFKA_GROUP_ID: uniqueTopic(`${TOPIC_PREFIX}bench-stream`),
  };
  const topicNames = [topics.CHANNELS_TOPIC, topics.BALANCE_PROOFS_TOPIC, topics.DEAD_LETTER_TOPIC];
  try {
    await createTopics(brokers, topicNames);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-stream-'));
    writeFileSync(path.join(dir, 'deployment.json'), JSON.stringify(deployment));
    const channels = channelSets();
    await migrateGatewaySchema(pool);
    const paywallUrl = await startPaywall(dbUrl.toString(), brokers, topics.BALANCE_PROOFS_TOPIC, dir);
    await projectBenchChannels(
      { pool, dbUrl: dbUrl.toString(), dir, brokers, upstreamUrl: paywallUrl },
      topics,
      [...channels.values()].flat(),
    );
    const ctx: BenchContext = { pool, dbName, paywallUrl, dir };
    const runs = await runAll(ctx, channels);
    await checkAccounting(ctx, runs.slice(1));
    for (const line of formatStreamTables(runs)) console.log(line);
    console.log(
      `accounting: every channel's accepted and charged balance match its client's receipts; outbox drained. ` +
        `load average ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')} on ${os.cpus().length} cores`,
    );
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    const grace = Date.now() + 10_000;
    while (Date.now() < grace && children.some((child) => child.exitCode === null))
      await new Promise((r) => setTimeout(r, 100));
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    // Unique per run: left behind, every run would add its events to the broker's disk.
    await deleteTopics({ brokers: brokers.split(','), clientId: 'bench-stream' }, topicNames).catch(
      () => undefined,
    );
    await stop();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err.stack ?? err);
    process.exit(1);
  },
);
