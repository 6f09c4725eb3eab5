// Runs one outbox relay until killed: the "relay killed mid-way" test SIGKILLs this process.
// usage: node -r @swc-node/register run-relay.ts <databaseUrl> <brokers> <batchSize>
import { createOutboxRelay } from '../../src/outbox-relay';

const [databaseUrl, brokers, batchSize] = process.argv.slice(2);
if (!databaseUrl || !brokers || !batchSize)
  throw new Error('usage: run-relay.ts <databaseUrl> <brokers> <batchSize>');

const relay = createOutboxRelay({
  databaseUrl,
  client: { brokers: brokers.split(','), clientId: 'killed-relay' },
  batchSize: Number(batchSize),
  pollIntervalMs: 50,
});
relay.start().then(
  () => process.stdout.write('started\n'),
  (err: Error) => {
    process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  },
);
