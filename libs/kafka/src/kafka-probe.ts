import type { Admin } from 'kafkajs';
import { createKafka } from './kafka-client';

/** A readiness probe that asks the Kafka cluster for its metadata through one long-lived admin client. */
export function kafkaProbe(brokers: readonly string[], clientId: string) {
  let admin: Admin | undefined;
  return {
    name: 'kafka',
    async check(): Promise<Record<string, number>> {
      if (!admin) {
        const candidate = createKafka({ brokers, clientId: `${clientId}-health` }).admin();
        await candidate.connect();
        admin = candidate;
      }
      try {
        const cluster = await admin.describeCluster();
        return { brokers: cluster.brokers.length };
      } catch (err) {
        // Reconnect from scratch next time: a broken admin client does not always recover by itself.
        const broken = admin;
        admin = undefined;
        await broken.disconnect().catch(() => undefined);
        throw err;
      }
    },
    async close(): Promise<void> {
      await admin?.disconnect();
      admin = undefined;
    },
  };
}
