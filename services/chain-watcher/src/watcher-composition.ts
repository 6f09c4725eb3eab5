import { PostgresWatcherStore, WATCHER_OUTBOX_TABLE, type WatcherLog } from '@microraiden/chain-watcher';
import { loadReceiverKey } from '@microraiden/config';
import { readDeploymentFile, type Deployment } from '@microraiden/contracts';
import { createOutboxRelay, type KafkaClientOptions, type OutboxRelay } from '@microraiden/kafka';
import { createPgPool, databaseTimeoutsOf } from '@microraiden/persistence';
import { Logger } from '@nestjs/common';
import { JsonRpcProvider, Network, type Wallet } from 'ethers';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import { ChainLag } from './chain-lag';
import type { ChainWatcherConfig } from './chain-watcher-config';
import type { ReceiverFundsCheck } from './receiver-funds-check';
import { WatcherMetrics } from './watcher-metrics';

export const SOURCE = 'chain-watcher';

/** The collaborators of one chain-watcher, built by {@link composeWatcher}; nothing in them runs yet. */
export interface WatcherParts {
  readonly config: ChainWatcherConfig;
  readonly deployment: Deployment;
  readonly provider: JsonRpcProvider;
  readonly wallet: Wallet;
  readonly pool: Pool;
  readonly store: PostgresWatcherStore;
  readonly relay: OutboxRelay;
  readonly metrics: WatcherMetrics;
  readonly chainLag: ChainLag;
  readonly funds: ReceiverFundsCheck;
  readonly log: WatcherLog;
  /** Kafka client options under `clientId`. */
  kafkaClient(clientId: string): KafkaClientOptions;
}

/** Local start-up that cannot wait: a bad deployment file or key fails the app at once. */
export async function composeWatcher(
  config: ChainWatcherConfig,
  registry: Registry,
  funds: ReceiverFundsCheck,
): Promise<WatcherParts> {
  const log = watcherLog(new Logger('ChainWatcher'));
  const deployment = await readDeploymentFile(config.DEPLOYMENT_FILE);
  const network = Network.from(deployment.chainId);
  const provider = new JsonRpcProvider(config.RPC_URL, network, {
    staticNetwork: network,
    cacheTimeout: -1,
    // Disputes race a deadline: no 10 ms batching stall per call.
    batchMaxCount: 1,
  });
  const receiver = loadReceiverKey(config);
  if (receiver.publicDevAccount !== undefined)
    log.warn(`MICRORAIDEN_DEV: receiver is anvil's public account ${receiver.publicDevAccount}`, {
      address: receiver.wallet.address,
    });
  const wallet = receiver.wallet.connect(provider);
  const chainLag = new ChainLag({ getBlock: (block) => provider.getBlock(block) });
  const metrics = new WatcherMetrics(registry, chainLag);
  funds.watch(provider, wallet.address, metrics);
  const pool = createPgPool({
    databaseUrl: config.DATABASE_URL,
    max: 5,
    timeouts: databaseTimeoutsOf(config),
    applicationName: 'chain-watcher',
    onIdleError: (err) => log.warn('idle Postgres client failed', { error: err.message }),
  });
  const store = new PostgresWatcherStore(
    pool,
    `${deployment.chainId}:${deployment.channelManager.toLowerCase()}`,
    { channelsTopic: config.CHANNELS_TOPIC },
  );
  const kafkaLog: KafkaClientOptions['log'] = (level, message, extra) => {
    if (level === 'error' || level === 'warn') log.warn(`kafka: ${message}`, extra);
  };
  const kafkaClient = (clientId: string) => ({ brokers: config.KAFKA_BROKERS, clientId, log: kafkaLog });
  // Every replica relays (one at a time, by advisory lock): a standby takes over the outbox of a dead leader.
  const relay = createOutboxRelay({
    databaseUrl: config.DATABASE_URL,
    client: kafkaClient(SOURCE),
    table: WATCHER_OUTBOX_TABLE,
  });
  metrics.observeOutbox(() => relay.lag());
  return {
    config,
    deployment,
    provider,
    wallet,
    pool,
    store,
    relay,
    metrics,
    chainLag,
    funds,
    log,
    kafkaClient,
  };
}

function watcherLog(logger: Logger): WatcherLog {
  return {
    info: (message, fields) => logger.log({ ...fields, msg: message }),
    warn: (message, fields) => logger.warn({ ...fields, msg: message }),
    error: (message, fields) => logger.error({ ...fields, msg: message }),
  };
}
