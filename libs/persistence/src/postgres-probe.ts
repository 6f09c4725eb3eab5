import { Pool } from 'pg';

/** A readiness probe that runs `SELECT 1` on a one-connection pool. */
export function postgresProbe(databaseUrl: string) {
  const pool = new Pool({ connectionString: databaseUrl, max: 1, connectionTimeoutMillis: 2_000 });
  // An idle client that errors (server restart) must not crash the process; the next check reconnects.
  pool.on('error', () => undefined);
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
