import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { InfrastructureError } from './infrastructure-error';
import { repoRoot } from './repo-root';

const run = promisify(execFile);

/**
 * Make sure the machine's PostgreSQL answers (starting its cluster if needed) and holds `microraiden_test`,
 * via deploy/local/postgres.sh; returns that database's URL. The server is shared, so nothing stops it.
 */
export async function ensureLocalPostgres(): Promise<string> {
  try {
    await run('bash', [path.join(repoRoot(), 'deploy/local/postgres.sh'), 'start']);
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    throw new InfrastructureError(
      'INFRA_START_FAILED',
      `no local PostgreSQL: deploy/local/postgres.sh start failed:\n${stdout}${stderr}`,
      {},
      err,
    );
  }
  const host = process.env.PGHOST ?? '127.0.0.1';
  const port = process.env.PGPORT ?? '5432';
  const user = process.env.PGUSER ?? 'postgres';
  return `postgres://${user}@${host}:${port}/microraiden_test`;
}
