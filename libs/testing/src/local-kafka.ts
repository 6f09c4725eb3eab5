import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';
import { InfrastructureError } from './infrastructure-error';
import { repoRoot } from './repo-root';

const run = promisify(execFile);
const RUN_DIR_PREFIX = 'microraiden-kafka-';
const STALE_AFTER_MS = 10 * 60_000;

export interface RunningKafka {
  /** Comma-separated `host:port` list, as in KAFKA_BROKERS. */
  brokers: string;
  stop(): Promise<void>;
}

/** A private Kafka that a test can take down and bring back (same port, same data): a broker outage. */
export interface PausableKafka extends RunningKafka {
  /** Stop the broker, keeping its data. */
  pause(): Promise<void>;
  /** Start it again on the same port with the same data (topics and offsets survive). */
  resume(): Promise<void>;
}

function kafkaScript(): string {
  return path.join(repoRoot(), 'deploy/local/kafka.sh');
}

async function kafkaSh(command: 'start' | 'stop', env: NodeJS.ProcessEnv): Promise<void> {
  await run('bash', [kafkaScript(), command], {
    env: { ...process.env, ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** Output of a failed script run: its stdout and stderr, last lines first to read. */
function outputOf(err: unknown): string {
  const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
  return `${stdout}${stderr}`.trim().split('\n').slice(-40).join('\n');
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Delete data folders of earlier runs whose runner was killed: their broker stopped itself (owner watchdog)
 * but nobody removed the folder. Young folders are left alone: a concurrent run may not have written its
 * pid file yet.
 */
async function sweepStaleRunDirs(): Promise<void> {
  const entries = await readdir(tmpdir()).catch(() => []);
  for (const entry of entries.filter((e) => e.startsWith(RUN_DIR_PREFIX))) {
    const dir = path.join(tmpdir(), entry);
    const age = Date.now() - (await stat(dir).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    const pid = Number(await readFile(path.join(dir, 'kafka.pid'), 'utf8').catch(() => 'NaN'));
    if (age > STALE_AFTER_MS && !(Number.isInteger(pid) && processAlive(pid))) {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/**
 * Start a private single-node Kafka (KRaft) with deploy/local/kafka.sh on free ports (or client port `port`) and
 * its own data folder, separate from the developer's long-running one, so concurrent runs never share topics or
 * offsets. The broker is tied to this process: if the test runner dies without stopping it, it stops itself.
 */
export async function startLocalKafka(
  options: { partitions?: number; port?: number } = {},
): Promise<PausableKafka> {
  await sweepStaleRunDirs();
  const runDir = await mkdtemp(path.join(tmpdir(), RUN_DIR_PREFIX));
  let lastError: unknown;
  // A free port can be taken between asking the kernel and the broker binding it: retry on fresh ports.
  for (let attempt = 1; attempt <= (options.port ? 1 : 3); attempt++) {
    const port = options.port ?? (await freePort());
    let controllerPort = await freePort();
    while (controllerPort === port) controllerPort = await freePort();
    const env = {
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
      KAFKA_RUN_DIR: runDir,
      KAFKA_PARTITIONS: String(options.partitions ?? 1),
      KAFKA_OWNER_PID: String(process.pid),
      // A short-lived test broker never needs peak throughput: C1-only JIT starts it with ~30% less CPU.
      KAFKA_JVM_OPTS: '-XX:TieredStopAtLevel=1',
    };
    try {
      await kafkaSh('start', env);
      return {
        brokers: `127.0.0.1:${port}`,
        stop: async () => {
          await kafkaSh('stop', env);
          await rm(runDir, { recursive: true, force: true });
        },
        pause: () => kafkaSh('stop', env),
        resume: () => kafkaSh('start', env),
      };
    } catch (err) {
      lastError = err;
      if (!/already in use/.test(outputOf(err))) break;
    }
  }
  await rm(runDir, { recursive: true, force: true });
  throw new InfrastructureError(
    'INFRA_START_FAILED',
    `could not start a local Kafka with deploy/local/kafka.sh (needs java 17+ and mvn or a filled ` +
      `.cache/kafka/libs):\n${outputOf(lastError)}`,
    {},
    lastError,
  );
}
