import { readDeploymentFile } from '@microraiden/contracts';
import type { KafkaClientOptions } from '@microraiden/kafka';
import {
  channelReadsOver,
  createPaywallMetrics,
  paywallChainOf,
  PaywallProxy,
  PaywallRuntime,
  readRoutesFile,
  receiverKeyOf,
  RouteTable,
  UpstreamClient,
  withTokenInfo,
  type PaywallChain,
  type ChannelReads,
  type PaywallIdentity,
  type PaywallRuntimeLog,
  type PriceHook,
  type ReceiverKey,
} from '@microraiden/paywall';
import { loadReceiverKey } from '@microraiden/config';
import { createPgPool, databaseTimeoutsOf } from '@microraiden/persistence';
import { channelDomain, type Address } from '@microraiden/protocol';
import { Logger } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { shardDatabaseUrls, type GatewayConfig } from './gateway-config';

/** Price hooks a deployment can name in its routes file (`"priceHook": "<name>"`). */
export const PRICE_HOOKS: Readonly<Record<string, PriceHook>> = {
  /** Doubles the price of requests with a query string (an example of a dynamic price). */
  'double-with-query': ({ query, basePrice }) => (query === '' ? basePrice : basePrice * 2n),
};

/**
 * The collaborators of one gateway replica, built by {@link composeGateway}; nothing in them runs yet. What an
 * embedding app runs too (migration, projector, relay, close endpoint, chain guard and chain reads) is the
 * PaywallRuntime of `@microraiden/paywall`; the reverse proxy and the management queries are the service's own.
 */
export interface GatewayParts {
  readonly config: GatewayConfig;
  readonly paywallRuntime: PaywallRuntime;
  readonly proxy: PaywallProxy;
  readonly upstream: UpstreamClient;
  /** Merged over every shard when DATABASE_URLS names several. */
  readonly queries: ChannelReads;
}

const logger = new Logger('GatewayRuntime');

/** The runtime's log lines through Nest's logger (pino in the service). */
const runtimeLog: PaywallRuntimeLog = (level, message, extra) => {
  const write = level === 'error' ? 'error' : level === 'warn' ? 'warn' : 'log';
  if (extra === undefined) logger[write](message);
  else logger[write]({ ...extra }, message);
};

/** Reads the deployment, routes and key, and builds the replica's collaborators. */
export async function composeGateway(config: GatewayConfig, registry: Registry): Promise<GatewayParts> {
  warnAboutUnsetOptions(config);
  const deployment = await readDeploymentFile(config.DEPLOYMENT_FILE);
  const routes = new RouteTable(readRoutesFile(config.ROUTES_FILE), PRICE_HOOKS);
  const key = receiverKeyOfConfig(config);
  const unnamed: PaywallIdentity = {
    receiver: key.address,
    domain: channelDomain(BigInt(deployment.chainId), deployment.channelManager),
    token: deployment.token as Address,
    gatewayPath: config.GATEWAY_PATH,
  };
  const upstream = new UpstreamClient(config.UPSTREAM_URL, {
    connections: config.UPSTREAM_CONNECTIONS,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
  });
  const chain = chainOf(config, deployment.chainId, unnamed.domain.verifyingContract);
  const chainGuard = chain.guard;
  // One read of the token's symbol and decimals serves the 402s, the paywall page and the payment log.
  const identity = await withTokenInfo(unnamed, chain, runtimeLog);
  const paywallRuntime = new PaywallRuntime({
    identity,
    routes,
    receiverKey: key,
    gatewayId: config.GATEWAY_ID,
    pool: shardPoolsOf(config),
    databaseUrl: shardDatabaseUrls(config),
    ownsPool: true,
    kafka: kafkaClientOf(config),
    topics: {
      channels: config.CHANNELS_TOPIC,
      balanceProofs: config.BALANCE_PROOFS_TOPIC,
      deadLetter: config.DEAD_LETTER_TOPIC,
      partitions: config.TOPIC_PARTITIONS,
    },
    groupId: config.KAFKA_GROUP_ID,
    outbox: { table: config.OUTBOX_TABLE, pollIntervalMs: config.OUTBOX_POLL_MS },
    acceptBatchesInFlight: config.ACCEPT_BATCHES_IN_FLIGHT,
    timeouts: databaseTimeoutsOf(config),
    chain,
    paywall: {
      retryAfter: { confirmations: config.RETRY_AFTER_CONFIRMATIONS_S, unavailable: 5 },
    },
    metrics: (relay) =>
      createPaywallMetrics(registry, {
        routes: routes.configured(),
        outboxLag: () => relay.lag(),
        chainGuardClosed: () => chainGuard?.verdict().open === false,
      }),
    log: runtimeLog,
  });
  return {
    config,
    paywallRuntime,
    proxy: new PaywallProxy(paywallRuntime.paywall, upstream, {
      streamTopUpTimeoutMs: config.STREAM_TOPUP_TIMEOUT_MS,
      log: (message, extra) => runtimeLog('error', message, extra),
    }),
    upstream,
    queries: channelReadsOver(paywallRuntime.pools),
  };
}

function warnAboutUnsetOptions(config: GatewayConfig): void {
  if (config.OPERATOR_TOKEN === undefined)
    logger.warn('OPERATOR_TOKEN is not set: the management API answers 503 OPERATOR_TOKEN_UNSET');
}

function receiverKeyOfConfig(config: GatewayConfig): ReceiverKey {
  const loaded = loadReceiverKey(config);
  const key = receiverKeyOf(loaded.wallet);
  if (loaded.publicDevAccount !== undefined)
    logger.warn(
      `MICRORAIDEN_DEV: signing as anvil's public account ${loaded.publicDevAccount} (${key.address})`,
    );
  return key;
}

/** One pool per database: DATABASE_URL, or each of DATABASE_URLS in shard order. */
function shardPoolsOf(config: GatewayConfig) {
  return shardDatabaseUrls(config).map((databaseUrl) =>
    createPgPool({
      databaseUrl,
      max: config.DB_POOL_SIZE,
      timeouts: databaseTimeoutsOf(config),
      applicationName: 'gateway',
      onIdleError: (err) => logger.warn(`idle database connection failed: ${err.message}`),
    }),
  );
}

function kafkaClientOf(config: GatewayConfig): KafkaClientOptions {
  return {
    brokers: config.KAFKA_BROKERS,
    clientId: `gateway-${config.GATEWAY_ID}`.slice(0, 200),
    log: (level, message, extra) => {
      if (level === 'error' || level === 'warn') logger.warn({ ...extra }, `kafka: ${message}`);
    },
  };
}

// The guard and the chain reads, built as startPaywall builds them (paywallChainOf warns about what is unset).
// RPC_URL is read only for proofs the gateway's own view refuses (unknown channel, deposit too small): is the
// change mined but not confirmed yet? Without it those get CHANNEL_NOT_FOUND / BALANCE_EXCEEDS_DEPOSIT.
function chainOf(config: GatewayConfig, chainId: number, channelManager: Address): PaywallChain {
  return paywallChainOf({
    chainId,
    channelManager,
    ...(config.RPC_URL === undefined ? {} : { rpcUrl: config.RPC_URL }),
    rpcTimeoutMs: config.RPC_TIMEOUT_MS,
    confirmations: config.CONFIRMATIONS,
    ...(config.CHAIN_WATCHER_URL === undefined ? {} : { chainWatcherUrl: config.CHAIN_WATCHER_URL }),
    chainWatcherGraceMs: config.CHAIN_WATCHER_GRACE_S * 1000,
    chainWatcherPollMs: config.CHAIN_WATCHER_POLL_MS,
    log: runtimeLog,
    names: { rpcUrl: 'RPC_URL', chainWatcherUrl: 'CHAIN_WATCHER_URL' },
  });
}
