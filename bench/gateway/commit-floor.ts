// The latency floor of any durable acceptance on this machine: one small transaction at a time, each committed
// (WAL flushed to disk) before the next, with nothing else in it. A paid request cannot answer faster than this,
// so its p99 says how much of the gateway's added p99 the disk and Postgres take before any of our code runs.
import type { Pool } from 'pg';

/** Latencies (ms, in order) of `count` serial single-row INSERT ... COMMITs of a `payloadBytes`-byte row. */
export async function measureCommitFloor(pool: Pool, count: number, payloadBytes = 800): Promise<number[]> {
  await pool.query(
    'CREATE TABLE IF NOT EXISTS bench_commit_floor (id bigserial PRIMARY KEY, payload bytea NOT NULL)',
  );
  const payload = Buffer.alloc(payloadBytes, 0x61);
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await pool.query({
      name: 'bench_commit_floor',
      text: 'INSERT INTO bench_commit_floor (payload) VALUES ($1)',
      values: [payload],
    });
    latencies.push(performance.now() - started);
  }
  return latencies;
}
