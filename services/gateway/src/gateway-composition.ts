import { readDeploymentFile } from '@microraiden/contracts';
import type { KafkaClientOptions } from '@microraiden/kafka';
import {
  ChainChannelReads,
  ChannelQueries,
  createPaywallMetrics,
  PaywallProxy,
  PaywallRuntime,
  readRoutesFile,
  receiverKeyOf,
  RouteTable,
  RpcChainChannelReader,
  UpstreamClient,
  type ChainGuard,
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
import type { GatewayConfig } from './gateway-config';

/** Price hooks a deployment can name in its routes file (`"priceHook": "<name>"`). */
export const PRICE_HOOKS: Readonly<Record<string, PriceHook>> = {
  /** Doubles the price of requests with a query string (an example of a dynamic price). */
  'double-with-query': ({ query, basePrice }) => (query === '' ? basePrice : basePrice * 2n),
};

/**
 * The collaborators of one gateway replica, built by {@link composeGateway}; nothing in them runs yet. What an
 * embedding app runs too (migration, projector, relay, close endpoint) is the PaywallRuntime of
 * `@microraiden/paywall`; the reverse proxy, the chain guard and the management queries are the service's own.
 */
export interface GatewayParts {
  readonly config: GatewayConfig;
  readonly paywallRuntime: PaywallRuntime;
  readonly proxy: PaywallProxy;
  readonly upstream: UpstreamClient;
  readonly queries: ChannelQueries;
  readonly chainGuard: ChainGuard | undefined;
  readonly chainReader: RpcChainChannelReader | undefined;
}

const logger = new Logger('GatewayRuntime');

/** The runtime's log lines through Nest's logger (pino in the service). */
const runtimeLog: PaywallRuntimeLog = (level, message, extra) => {
  const write = level === 'error' ? 'error' : level === 'warn' ? 'warn' : 'log';
  if (extra === undefined) logger[write](message);
  else logger[write]({ ...extra }, message);
};

/** Reads the deployment, routes and key, and builds the replica's collaborators. */
export async function composeGateway(
  config: GatewayConfig,
  registry: Registry,
  chainGuard: ChainGuard | undefined,
): Promise<GatewayParts> {
  warnAboutUnsetOptions(config, chainGuard);
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
  const chainReader = chainReaderOf(config, deployment.chainId, unnamed.domain.verifyingContract);
  // One read of the token's symbol and decimals serves the 402s, the paywall page and the payment log.
  const identity = await withTokenInfo(unnamed, chainReader);
  const paywallRuntime = new PaywallRuntime({
    identity,
    routes,
    receiverKey: key,
    gatewayId: config.GATEWAY_ID,
    pool: poolOf(config),
    databaseUrl: config.DATABASE_URL,
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
    paywall: {
      ...(chainGuard === undefined ? {} : { chainGuard }),
      ...(chainReader === undefined ? {} : { chainReads: chainReadsOf(config, chainReader) }),
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
    proxy: new PaywallProxy(paywallRuntime.paywall, upstream),
    upstream,
    queries: new ChannelQueries(paywallRuntime.pool),
    chainGuard,
    chainReader,
  };
}

function warnAboutUnsetOptions(config: GatewayConfig, chainGuard: ChainGuard | undefined): void {
  if (chainGuard === undefined)
    logger.warn(
      'CHAIN_WATCHER_URL is not set: payments are accepted even when nothing follows the chain or can dispute for the receiver',
    );
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

function poolOf(config: GatewayConfig) {
  return createPgPool({
    databaseUrl: config.DATABASE_URL,
    max: config.DB_POOL_SIZE,
    timeouts: databaseTimeoutsOf(config),
    applicationName: 'gateway',
    onIdleError: (err) => logger.warn(`idle database connection failed: ${err.message}`),
  });
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

// Read only for proofs the gateway's own view refuses (unknown channel, deposit too small): is the change mined
// but not confirmed yet? Without RPC_URL those get CHANNEL_NOT_FOUND / BALANCE_EXCEEDS_DEPOSIT.
/** The token's symbol and decimals for x402's requirement (people read amounts in token units); one read at start. */
async function withTokenInfo(
  identity: PaywallIdentity,
  chainReader: RpcChainChannelReader | undefined,
): Promise<PaywallIdentity> {
  if (chainReader === undefined) return identity;
  const tokenInfo = await chainReader.tokenInfo(identity.token);
  if (tokenInfo !== undefined) return { ...identity, tokenInfo };
  logger.warn('the token did not answer symbol()/decimals(): x402 requirements go without them');
  return identity;
}

function chainReaderOf(
  config: GatewayConfig,
  chainId: number,
  channelManager: Address,
): RpcChainChannelReader | undefined {
  if (config.RPC_URL === undefined) {
    logger.warn(
      'RPC_URL is not set: a proof for a channel or top-up mined but not yet confirmed gets CHANNEL_NOT_FOUND or BALANCE_EXCEEDS_DEPOSIT instead of CHANNEL_INSUFFICIENT_CONFIRMATIONS',
    );
    return undefined;
  }
  return new RpcChainChannelReader(config.RPC_URL, { chainId, channelManager }, config.RPC_TIMEOUT_MS);
}

function chainReadsOf(config: GatewayConfig, reader: RpcChainChannelReader): ChainChannelReads {
  return new ChainChannelReads({
    reader,
    required: config.CONFIRMATIONS,
    timeoutMs: config.RPC_TIMEOUT_MS,
    onError: (err) => logger.warn(`chain read failed: ${(err as Error)?.message ?? String(err)}`),
  });
}
