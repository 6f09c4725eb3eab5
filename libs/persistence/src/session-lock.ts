import { Client } from 'pg';
import { advisoryLockKeySql } from './advisory-lock-key';

/**
 * A Postgres session advisory lock held on a connection of its own: at most one process holds a given name at a
 * time, and the lock goes away with the connection, so a crashed holder frees it for the next one. Used for leader
 * election among replicas that must not act twice (the chain-watcher sends transactions from one key).
 */
export class SessionLock {
  private client: Client | undefined;
  private lost = false;

  constructor(
    private readonly databaseUrl: string,
    /** Lock name; hashed to Postgres's 64-bit advisory key. */
    private readonly name: string,
  ) {}

  /** Tries once to take the lock; true when this process holds it now (also when it already did). */
  async tryAcquire(): Promise<boolean> {
    if (this.client !== undefined && !this.lost) return true;
    await this.drop();
    const client = new Client({ connectionString: this.databaseUrl, application_name: 'session-lock' });
    // A dropped connection releases the lock on the server; remember it so the holder stops acting.
    const onLoss = () => {
      if (this.client === client) this.lost = true;
    };
    client.on('error', onLoss);
    client.on('end', onLoss);
    await client.connect();
    const { rows } = await client.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_lock(${advisoryLockKeySql('$1')}) AS locked`,
      [this.name],
    );
    if (rows[0]?.locked !== true) {
      await client.end().catch(() => undefined);
      return false;
    }
    this.client = client;
    this.lost = false;
    return true;
  }

  /** Whether the lock is still held: its connection is alive and answers. */
  async stillHeld(): Promise<boolean> {
    if (this.client === undefined || this.lost) return false;
    try {
      await this.client.query('SELECT 1');
      return !this.lost;
    } catch {
      this.lost = true;
      return false;
    }
  }

  /** Releases the lock (by closing its connection). */
  async release(): Promise<void> {
    await this.drop();
  }

  private async drop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.lost = false;
    await client?.end().catch(() => undefined);
  }
}
