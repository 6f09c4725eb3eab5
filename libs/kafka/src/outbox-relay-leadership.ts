import { advisoryLockKeySql } from '@microraiden/persistence';
import { Client } from 'pg';
import type { KafkaClientOptions } from './kafka-client';

/** The session advisory lock's name for relays of `quotedTable` (libs/persistence README, advisory locks). */
export function relayLeaderLockName(quotedTable: string): string {
  return `microraiden.kafka.outbox-relay-leader ${quotedTable}`;
}

/** Which of a database's relays polls its outbox; see {@link createRelayLeadership}. */
export interface RelayLeadership {
  /** Whether this relay leads now: no round trip while it does, one `pg_try_advisory_lock` while it does not. */
  lead(): Promise<boolean>;
  end(): Promise<void>;
}

/**
 * One relay per database polls (the leader); the others stand by and try to lead now and then. Leadership is a
 * session advisory lock held on a connection of its own, so a leader that dies or loses its connection frees it for
 * the next try of a standby. It only decides who polls: every batch still takes the table's transaction lock, so
 * two relays that both believe they lead (a lost connection not yet noticed, an old version during a rolling
 * deploy) still never publish at once. Without it every replica's relay polled, each taking turns at the table:
 * the outbox's commits and the relays' Postgres time grew with the number of replicas instead of with the rows.
 */
export function createRelayLeadership(options: {
  databaseUrl: string;
  quotedTable: string;
  log: NonNullable<KafkaClientOptions['log']>;
}): RelayLeadership {
  let client: Client | undefined;
  let leading = false;
  let ended = false;

  function forget(lost: Client): void {
    if (client !== lost) return;
    if (leading) options.log('warn', 'outbox relay lost its leadership connection; standing by', {});
    client = undefined;
    leading = false;
    lost.end().catch(() => undefined);
  }

  async function connect(): Promise<Client> {
    const fresh = new Client({ connectionString: options.databaseUrl, application_name: 'outbox-relay' });
    fresh.on('error', () => forget(fresh));
    fresh.on('end', () => forget(fresh));
    await fresh.connect();
    client = fresh;
    return fresh;
  }

  return {
    async lead() {
      if (ended) return false;
      if (leading && client !== undefined) return true;
      try {
        const session = client ?? (await connect());
        const { rows } = await session.query<{ locked: boolean }>(
          `SELECT pg_try_advisory_lock(${advisoryLockKeySql('$1')}) AS locked`,
          [relayLeaderLockName(options.quotedTable)],
        );
        leading = rows[0]?.locked === true && client === session;
      } catch (err) {
        options.log('warn', 'outbox relay could not try for leadership', { error: (err as Error).message });
        if (client !== undefined) forget(client);
      }
      return leading;
    },
    async end() {
      ended = true;
      leading = false;
      const last = client;
      client = undefined;
      await last?.end().catch(() => undefined);
    },
  };
}
