import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of the chaos bench's own (Debian's postgresql-common: `pg_createcluster`), on its own
 * port, so a scenario may stop and restart the whole server under load. Never the machine's shared cluster:
 * the name is fixed here and checked against `main`.
 */
export class PostgresCluster {
  constructor(
    readonly version: string,
    readonly name: string,
    readonly port: number,
  ) {
    if (name === 'main') throw new Error('the chaos bench never touches the shared cluster "main"');
  }

  get serverUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** A fresh cluster (trust auth on loopback), replacing one left by an earlier run, then started. */
  async create(): Promise<void> {
    await this.drop();
    await run('pg_createcluster', [
      this.version,
      this.name,
      '-p',
      String(this.port),
      '--start',
      '--',
      '--auth=trust',
    ]);
  }

  async start(): Promise<void> {
    await run('pg_ctlcluster', [this.version, this.name, 'start']);
  }

  /** `fast`: every session is cut at once, as a crashed or failed-over primary would cut them. */
  async stop(): Promise<void> {
    await run('pg_ctlcluster', [this.version, this.name, 'stop', '-m', 'fast']);
  }

  /** Stops and removes the cluster and its data; nothing if it does not exist. */
  async drop(): Promise<void> {
    const { stdout } = await run('pg_lsclusters', ['--no-header']);
    const exists = stdout
      .split('\n')
      .some((line) => line.trim().split(/\s+/).slice(0, 2).join(' ') === `${this.version} ${this.name}`);
    if (exists) await run('pg_dropcluster', [this.version, this.name, '--stop']);
  }
}
