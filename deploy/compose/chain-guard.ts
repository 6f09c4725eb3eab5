/**
 * The compose stack's chain jobs (docker-compose.yml), from the service image:
 *
 *   node dist/deploy/compose/chain-guard.js deployed   exit 0 when DEPLOYMENT_FILE's contracts exist on RPC_URL's
 *                                                      chain (reuse them), 1 when they must be deployed
 *   node dist/deploy/compose/chain-guard.js guard      record which chain and Kafka cluster the services' database
 *                                                      belongs to; exit 1 when they were recreated (chain-identity.ts)
 *
 * Reads RPC_URL, DEPLOYMENT_FILE, KAFKA_BROKERS and DATABASE_URL.
 */
import { readDeploymentFile, type Deployment } from '@microraiden/contracts';
import { createKafka } from '@microraiden/kafka';
import { createPgPool, withTransaction } from '@microraiden/persistence';
import { JsonRpcProvider } from 'ethers';
import { decideChainGuard, refusalMessage, type ChainIdentity } from './chain-identity';

const say = (msg: string): void => void process.stdout.write(`[chain-guard] ${msg}\n`);

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** True when the deployment file names contracts that exist on this chain. */
export async function isDeployed(provider: JsonRpcProvider, file: string): Promise<boolean> {
  const deployment = await readDeploymentFile(file).catch(() => undefined);
  if (deployment === undefined) return false;
  const { chainId } = await provider.getNetwork();
  if (BigInt(deployment.chainId) !== chainId) return false;
  const codes = await Promise.all(
    [deployment.channelManager, deployment.token].map((a) => provider.getCode(a)),
  );
  return codes.every((code) => code !== '0x');
}

/** The identity of what the services would run against now. */
export async function currentIdentity(
  provider: JsonRpcProvider,
  deployment: Deployment,
  kafkaBrokers: readonly string[],
): Promise<ChainIdentity> {
  const admin = createKafka({ brokers: [...kafkaBrokers], clientId: 'chain-guard' }).admin();
  await admin.connect();
  const { clusterId } = await admin.describeCluster().finally(() => admin.disconnect());
  const block = await provider.getBlock(deployment.deployBlock);
  return {
    kafkaClusterId: clusterId,
    chainId: String(deployment.chainId),
    channelManager: deployment.channelManager,
    deployBlockHash: block?.hash ?? 'missing',
  };
}

const TABLE = `CREATE TABLE IF NOT EXISTS compose_chain_identity (
  id int PRIMARY KEY CHECK (id = 1),
  kafka_cluster_id text NOT NULL,
  chain_id text NOT NULL,
  channel_manager text NOT NULL,
  deploy_block_hash text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
)`;

/** Records `current` in the database on first run; throws the refusal when the recorded identity differs. */
export async function guardDatabase(
  databaseUrl: string,
  current: ChainIdentity,
): Promise<'recorded' | 'match'> {
  const pool = createPgPool({
    databaseUrl,
    max: 1,
    applicationName: 'chain-guard',
    onIdleError: (err) => say(`idle database connection failed: ${err.message}`),
  });
  try {
    return await withTransaction(pool, async (tx) => {
      await tx.query(TABLE);
      const { rows } = await tx.query<Record<string, string>>(
        `SELECT kafka_cluster_id, chain_id, channel_manager, deploy_block_hash, recorded_at::text AS recorded_at
           FROM compose_chain_identity WHERE id = 1 FOR UPDATE`,
      );
      const row = rows[0];
      const recorded: ChainIdentity | undefined = row && {
        kafkaClusterId: row.kafka_cluster_id ?? '',
        chainId: row.chain_id ?? '',
        channelManager: row.channel_manager ?? '',
        deployBlockHash: row.deploy_block_hash ?? '',
      };
      const decision = decideChainGuard(recorded, current);
      if (decision.action === 'refuse')
        throw new Error(refusalMessage(decision.changed, row?.recorded_at ?? '?'));
      if (decision.action === 'record')
        await tx.query(
          `INSERT INTO compose_chain_identity (id, kafka_cluster_id, chain_id, channel_manager, deploy_block_hash)
           VALUES (1, $1, $2, $3, $4)`,
          [current.kafkaClusterId, current.chainId, current.channelManager, current.deployBlockHash],
        );
      return decision.action === 'record' ? 'recorded' : 'match';
    });
  } finally {
    await pool.end();
  }
}

async function main(command: string | undefined): Promise<number> {
  const provider = new JsonRpcProvider(required('RPC_URL'), undefined, { staticNetwork: true });
  try {
    const file = required('DEPLOYMENT_FILE');
    if (command === 'deployed') {
      const deployed = await isDeployed(provider, file);
      say(deployed ? `reusing the contracts of ${file}` : `no contracts of ${file} on this chain: deploying`);
      return deployed ? 0 : 1;
    }
    if (command !== 'guard') throw new Error('usage: chain-guard.js deployed|guard');
    const deployment = await readDeploymentFile(file);
    const brokers = required('KAFKA_BROKERS').split(',');
    const outcome = await guardDatabase(
      required('DATABASE_URL'),
      await currentIdentity(provider, deployment, brokers),
    );
    say(
      outcome === 'recorded'
        ? 'recorded the chain and Kafka cluster of this database'
        : 'same chain and Kafka cluster',
    );
    return 0;
  } finally {
    provider.destroy();
  }
}

if (require.main === module) {
  main(process.argv[2]).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`[chain-guard] ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
