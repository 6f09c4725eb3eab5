import { readDeploymentFile } from '@microraiden/contracts';
import { TOPICS } from '@microraiden/events';
import {
  createEventConsumer,
  createOutboxRelay,
  ensureTopics,
  type EventConsumer,
  type KafkaClientOptions,
  type OutboxRelay,
} from '@microraiden/kafka';
import {
  ChainChannelReads,
  ChainGuard,
  ChannelCloser,
  ChannelEventProjector,
  ChannelQueries,
  createPaywallMetrics,
  migrateGatewaySchema,
  Paywall,
  PaywallProxy,
  PgChannelStore,
  readRoutesFile,
  receiverKeyOf,
  RouteTable,
  RpcChainChannelReader,
  UpstreamClient,
  type PaywallIdentity,
  type PriceHook,
} from '@microraiden/paywall';
import { channelDomain, type Address } from '@microraiden/protocol';
import { loadReceiverKey } from '@microraiden/config';
import { Logger } from '@nestjs/common';
import { createPgPool, databaseTimeoutsOf, retryTransient } from '@microraiden/persistence';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import type { GatewayConfig } from './gateway-config';

/** Price hooks a deployment can name in its routes file (`"priceHook": "<name>"`). */
export const PRICE_HOOKS: Readonly<Record<string, PriceHook>> = {
  /** Doubles the price of requests with a query string (an example of a dynamic price). */
  'double-with-query': ({ query, basePrice }) => (query === '' ? basePrice : basePrice * 2n),
};

const KAFKA_RETRY_MAX_MS = 15_000;

/**
 * Everything one gateway replica runs: the database pool, the paywall, the reverse proxy, the outbox relay and
 * the channel-event consumer. Built once at start-up from the validated configuration.
 */
export class GatewayRuntime {
  private readonly logger = new Logger('GatewayRuntime');
  private consumer: EventConsumer | undefined;
  private relayStarted = false;
  private stopping = false;
  private wake: (() => void) | undefined;
  private kafkaLoop: Promise<void> | undefined;
  private consumerReady!: () => void;
  /** Resolves once the channel-event consumer has joined its group (tests wait on it). */
  readonly channelsFollowed = new Promise<void>((resolve) => (this.consumerReady = resolve));

  private constructor(
    readonly config: GatewayConfig,
    readonly identity: PaywallIdentity,
    readonly pool: Pool,
    readonly paywall: Paywall,
    readonly proxy: PaywallProxy,
    readonly upstream: UpstreamClient,
    readonly closer: ChannelCloser,
    readonly queries: ChannelQueries,
    private readonly projector: ChannelEventProjector,
    private readonly kafka: KafkaClientOptions,
    private readonly relay: OutboxRelay,
    private readonly chainGuard: ChainGuard | undefined,
    private readonly chainReader: RpcChainChannelReader | undefined,
  ) {}

  /** Reads the deployment, routes and key, and wires the replica; starts nothing yet. */
  static async create(
    config: GatewayConfig,
    registry: Registry,
    chainGuard?: ChainGuard,
  ): Promise<GatewayRuntime> {
    const logger = new Logger('GatewayRuntime');
    if (chainGuard === undefined)
      logger.warn(
        'CHAIN_WATCHER_URL is not set: payments are accepted even when nothing follows the chain or can dispute for the receiver',
      );
    if (config.OPERATOR_TOKEN === undefined)
      logger.warn('OPERATOR_TOKEN is not set: the management API answers 503 OPERATOR_TOKEN_UNSET');
    const deployment = await readDeploymentFile(config.DEPLOYMENT_FILE);
    const routes = new RouteTable(readRoutesFile(config.ROUTES_FILE), PRICE_HOOKS);
    const loaded = loadReceiverKey(config);
    const key = receiverKeyOf(loaded.wallet);
    if (loaded.publicDevAccount !== undefined)
      logger.warn(
        `MICRORAIDEN_DEV: signing as anvil's public account ${loaded.publicDevAccount} (${key.address})`,
      );
    const identity: PaywallIdentity = {
      receiver: key.address,
      domain: channelDomain(BigInt(deployment.chainId), deployment.channelManager),
      token: deployment.token as Address,
      gatewayPath: config.GATEWAY_PATH,
    };
    const timeouts = databaseTimeoutsOf(config);
    const pool = createPgPool({
      databaseUrl: config.DATABASE_URL,
      max: config.DB_POOL_SIZE,
      timeouts,
      applicationName: 'gateway',
      onIdleError: (err) => logger.warn(`idle database connection failed: ${err.message}`),
    });
    const store = new PgChannelStore(pool, {
      balanceProofsTopic: config.BALANCE_PROOFS_TOPIC,
      outboxTable: config.OUTBOX_TABLE,
      acceptBatchesInFlight: config.ACCEPT_BATCHES_IN_FLIGHT,
    });
    const queries = new ChannelQueries(pool);
    const upstream = new UpstreamClient(config.UPSTREAM_URL, {
      connections: config.UPSTREAM_CONNECTIONS,
      timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    });
    const kafka: KafkaClientOptions = {
      brokers: config.KAFKA_BROKERS,
      clientId: `gateway-${config.GATEWAY_ID}`.slice(0, 200),
      log: (level, message, extra) => {
        if (level === 'error' || level === 'warn') logger.warn({ ...extra }, `kafka: ${message}`);
      },
    };
    // Acceptances are inserted without NOTIFY (one round trip each): the relay polls and publishes in batches.
    const relay = createOutboxRelay({
      databaseUrl: config.DATABASE_URL,
      client: kafka,
      table: config.OUTBOX_TABLE,
      pollIntervalMs: config.OUTBOX_POLL_MS,
      batchSize: 500,
      listen: false,
      timeouts,
    });
    const metrics = createPaywallMetrics(registry, {
      routes: routes.configured(),
      outboxLag: () => relay.lag(),
      chainGuardClosed: () => chainGuard?.verdict().open === false,
    });
    // Read only for proofs the gateway's own view refuses (unknown channel, deposit too small): is the change mined
    // but not confirmed yet? Without RPC_URL those get CHANNEL_NOT_FOUND / BALANCE_EXCEEDS_DEPOSIT.
    const chainReader =
      config.RPC_URL === undefined
        ? undefined
        : new RpcChainChannelReader(
            config.RPC_URL,
            { chainId: deployment.chainId, channelManager: identity.domain.verifyingContract },
            config.RPC_TIMEOUT_MS,
          );
    if (chainReader === undefined)
      logger.warn(
        'RPC_URL is not set: a proof for a channel or top-up mined but not yet confirmed gets CHANNEL_NOT_FOUND or BALANCE_EXCEEDS_DEPOSIT instead of CHANNEL_INSUFFICIENT_CONFIRMATIONS',
      );
    const chainReads =
      chainReader &&
      new ChainChannelReads({
        reader: chainReader,
        required: config.CONFIRMATIONS,
        timeoutMs: config.RPC_TIMEOUT_MS,
        onError: (err) => logger.warn(`chain read failed: ${(err as Error)?.message ?? String(err)}`),
      });
    const paywall = new Paywall({
      identity,
      routes,
      store,
      gatewayId: config.GATEWAY_ID,
      metrics,
      ...(chainGuard === undefined ? {} : { chainGuard }),
      ...(chainReads === undefined ? {} : { chainReads }),
      retryAfter: { confirmations: config.RETRY_AFTER_CONFIRMATIONS_S, unavailable: 5 },
      log: (message, extra) => logger.error({ ...extra }, message),
    });
    return new GatewayRuntime(
      config,
      identity,
      pool,
      paywall,
      new PaywallProxy(paywall, upstream),
      upstream,
      new ChannelCloser(store, identity, key, { gatewayId: config.GATEWAY_ID }),
      queries,
      new ChannelEventProjector(pool, {
        chainId: deployment.chainId,
        channelManager: identity.domain.verifyingContract,
      }),
      kafka,
      relay,
      chainGuard,
      chainReader,
    );
  }

  /**
   * Migrates the database (must succeed: without the table nothing can be accepted), then follows Kafka in the
   * background: a replica whose Kafka is down still starts and reports not ready instead of crash-looping. A
   * database that is down, or locked by another replica's migration, is waited for (the replica does not listen
   * meanwhile); any other migration failure ends the start.
   */
  async start(): Promise<void> {
    await retryTransient(() => migrateGatewaySchema(this.pool, { outboxTable: this.config.OUTBOX_TABLE }), {
      onRetry: (err, attempt, delay) =>
        this.logger.warn(
          `cannot migrate the database yet (${(err as Error).message}, ${attempt} in a row); retrying in ${delay} ms`,
        ),
      stopped: () => this.stopping,
    });
    this.chainGuard?.start();
    this.kafkaLoop = this.followKafka();
  }

  private async followKafka(): Promise<void> {
    const { config } = this;
    for (let failures = 0; !this.stopping;) {
      let consumer: EventConsumer | undefined;
      try {
        await ensureTopics(this.kafka, [
          {
            name: config.CHANNELS_TOPIC,
            partitions: config.TOPIC_PARTITIONS,
            config: TOPICS.channels.config,
          },
          {
            name: config.BALANCE_PROOFS_TOPIC,
            partitions: config.TOPIC_PARTITIONS,
            config: TOPICS.balanceProofs.config,
          },
          { name: config.DEAD_LETTER_TOPIC, partitions: 1, config: TOPICS.deadLetter.config },
        ]);
        if (!this.relayStarted) {
          await this.relay.start();
          this.relayStarted = true;
        }
        consumer = createEventConsumer({
          client: this.kafka,
          groupId: config.KAFKA_GROUP_ID,
          topics: [config.CHANNELS_TOPIC],
          fromBeginning: true,
          deadLetterTopic: config.DEAD_LETTER_TOPIC,
          maxWaitTimeMs: 250,
        });
        if (this.stopping) return;
        this.consumer = consumer;
        await consumer.run(async ({ event }) => {
          await this.projector.apply(event);
        });
        this.consumerReady();
        return;
      } catch (err) {
        failures += 1;
        this.consumer = undefined;
        await consumer?.stop().catch(() => undefined);
        const delay = Math.min(KAFKA_RETRY_MAX_MS, 500 * 2 ** Math.min(failures, 5));
        this.logger.warn(`cannot follow Kafka yet (${(err as Error).message}); retrying in ${delay} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  /** Stops consuming and relaying, then closes connections. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.chainGuard?.stop();
    this.wake?.();
    await this.consumer?.stop().catch((err: Error) => this.logger.warn(`consumer stop: ${err.message}`));
    await this.relay.stop().catch((err: Error) => this.logger.warn(`relay stop: ${err.message}`));
    await this.upstream.close().catch(() => undefined);
    this.chainReader?.close();
    await this.pool.end().catch(() => undefined);
    void this.kafkaLoop;
  }
}
