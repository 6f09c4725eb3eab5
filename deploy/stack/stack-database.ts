import type { Deployment } from '@microraiden/contracts';
import { createKafka } from '@microraiden/kafka';
import { keccak256, toUtf8Bytes, type JsonRpcProvider } from 'ethers';
import { Client } from 'pg';

/**
 * The services' database for this Kafka cluster and this chain. The ledger stores Kafka offsets and the
 * chain-watcher a block checkpoint; after `.run/` is wiped (new Kafka cluster, new anvil chain) that state would
 * point past the new topics and blocks and the stack would silently project nothing. Naming the database after
 * the cluster id and the deployment block's hash gives every (Kafka, chain) pair a fresh database.
 */
export async function stackDatabaseUrl(
  serverUrl: string,
  kafkaBrokers: string,
  provider: JsonRpcProvider,
  deployment: Deployment,
): Promise<string> {
  const admin = createKafka({ brokers: [kafkaBrokers], clientId: 'stack' }).admin();
  await admin.connect();
  const { clusterId } = await admin.describeCluster().finally(() => admin.disconnect());
  const block = await provider.getBlock(deployment.deployBlock);
  const fingerprint = keccak256(
    toUtf8Bytes(`${clusterId}:${deployment.channelManager}:${block?.hash ?? ''}`),
  );
  const name = `microraiden_stack_${fingerprint.slice(2, 12)}`;
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    // The name is ours (hex only), so interpolating it is safe; CREATE DATABASE takes no parameters.
    if (rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
