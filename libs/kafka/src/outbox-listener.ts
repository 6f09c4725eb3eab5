import { Client } from 'pg';
import type { KafkaClientOptions } from './kafka-client';

const LISTEN_RETRY_MS = 5_000;

/** A LISTEN connection that wakes the relay on enqueueEvent's NOTIFY; the relay polls whenever it is down. */
export interface OutboxListener {
  /** (Re)connect, at most every few seconds; never throws (polling covers a missing listener). */
  ensure(): Promise<void>;
  /** Whether the LISTEN connection is up (a notification will arrive). */
  listening(): boolean;
  end(): Promise<void>;
}

export function createOutboxListener(options: {
  databaseUrl: string;
  channel: string;
  onNotification: () => void;
  log: NonNullable<KafkaClientOptions['log']>;
}): OutboxListener {
  let listener: Client | undefined;
  let lastAttempt = 0;
  let ended = false;
  return {
    async ensure() {
      if (listener || ended || Date.now() - lastAttempt < LISTEN_RETRY_MS) return;
      lastAttempt = Date.now();
      const client = new Client({ connectionString: options.databaseUrl });
      client.on('notification', () => options.onNotification());
      client.on('error', (err) => {
        options.log('warn', 'outbox LISTEN connection failed; polling until it is back', {
          error: err.message,
        });
        if (listener === client) listener = undefined;
        client.end().catch(() => undefined);
      });
      try {
        await client.connect();
        await client.query(`LISTEN "${options.channel}"`);
        listener = client;
      } catch (err) {
        options.log('warn', 'outbox LISTEN connection failed; polling meanwhile', {
          error: (err as Error).message,
        });
        await client.end().catch(() => undefined);
      }
    },
    listening: () => listener !== undefined,
    async end() {
      ended = true;
      await listener?.end().catch(() => undefined);
      listener = undefined;
    },
  };
}
