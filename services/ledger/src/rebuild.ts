import 'reflect-metadata';
import { migrateLedger, openLedgerDatabase, rebuildLedger } from '@microraiden/ledger';
import { databaseTimeoutsOf } from '@microraiden/persistence';
import { ledgerTopicsOf, loadLedgerConfig } from './ledger-config';

/**
 * `npm run ledger:rebuild`: drop the projection and replay the topics from offset 0 with the same configuration as
 * the service (DATABASE_URL, KAFKA_BROKERS, KAFKA_GROUP_ID, topic names). Stop the ledger service first.
 */
async function main(): Promise<void> {
  const config = loadLedgerConfig();
  const database = openLedgerDatabase(config.DATABASE_URL, { timeouts: databaseTimeoutsOf(config) });
  try {
    await migrateLedger(database);
    const result = await rebuildLedger({
      database,
      client: { brokers: config.KAFKA_BROKERS, clientId: 'ledger-rebuild' },
      groupId: config.KAFKA_GROUP_ID,
      topics: ledgerTopicsOf(config),
      maxBatchSize: config.MAX_BATCH_SIZE,
      partitionsConcurrently: config.PARTITIONS_CONCURRENTLY,
      topicPartitions: config.TOPIC_PARTITIONS,
    });
    const rate = Math.round(result.events / Math.max(result.durationMs / 1000, 0.001));
    process.stdout.write(
      `${JSON.stringify({ level: 'info', service: 'ledger', msg: 'rebuilt', events: result.events, durationMs: result.durationMs, eventsPerSecond: rate })}\n`,
    );
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'ledger', msg: String(err) })}\n`);
  process.exit(1);
});
