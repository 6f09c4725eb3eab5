import { createPgPool } from './pg-pool';

/** A readiness probe that runs `SELECT 1` on a one-connection pool. */
export function postgresProbe(databaseUrl: string) {
  const pool = createPgPool({
    databaseUrl,
    max: 1,
    connectionTimeoutMs: 2_000,
    // A probe that waits longer than this is as good as failed: readiness must answer promptly.
    timeouts: { lockTimeoutMs: 1_000, statementTimeoutMs: 2_000 },
    applicationName: 'readiness-probe',
    // An idle client that errors (server restart) must not crash the process; the next check reconnects.
    onIdleError: () => undefined,
  });
  return {
    name: 'postgres',
    async check(): Promise<Record<string, number>> {
      const started = performance.now();
      await pool.query('SELECT 1');
      return { latencyMs: Math.round(performance.now() - started) };
    },
    close: () => pool.end(),
  };
}
