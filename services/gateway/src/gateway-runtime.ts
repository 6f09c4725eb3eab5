import { migrateGatewaySchema, type ChainGuard } from '@microraiden/paywall';
import { kafkaProbe } from '@microraiden/kafka';
import { postgresProbe, retryTransient } from '@microraiden/persistence';
import type { DependencyCheck, ServiceRuntime } from '@microraiden/service-kit';
import { Logger } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { chainGuardCheck } from './chain-guard-check';
import { ChannelFollowing } from './channel-following';
import { composeGateway, type GatewayParts } from './gateway-composition';
import { upstreamProbe } from './upstream-probe';

/**
 * One gateway replica: the database pool, the paywall, the reverse proxy, the outbox relay and the channel-event
 * consumer ({@link composeGateway} builds them), started and stopped through libs/service-kit's ServiceLifecycle.
 */
export class GatewayRuntime implements ServiceRuntime {
  private readonly logger = new Logger('GatewayRuntime');
  private readonly following = new ChannelFollowing(this.parts);

  private constructor(private readonly parts: GatewayParts) {}

  /** Reads the deployment, routes and key, and wires the replica; starts nothing yet. */
  static async create(config: GatewayParts['config'], registry: Registry, chainGuard?: ChainGuard) {
    return new GatewayRuntime(await composeGateway(config, registry, chainGuard));
  }

  readonly config = this.parts.config;
  readonly identity = this.parts.identity;
  readonly pool = this.parts.pool;
  readonly paywall = this.parts.paywall;
  readonly proxy = this.parts.proxy;
  readonly closer = this.parts.closer;
  readonly queries = this.parts.queries;

  /** Resolves once the channel-event consumer has joined its group (tests wait on it). */
  get channelsFollowed(): Promise<void> {
    return this.following.followed;
  }

  /** Postgres, Kafka, the upstream and, when configured, the chain guard (which only reports here). */
  readiness(): DependencyCheck[] {
    const { config, chainGuard } = this.parts;
    return [
      postgresProbe(config.DATABASE_URL),
      kafkaProbe(config.KAFKA_BROKERS, 'gateway'),
      upstreamProbe(config.UPSTREAM_URL),
      ...(chainGuard === undefined ? [] : [chainGuardCheck(chainGuard)]),
    ];
  }

  /**
   * Migrates the database (must succeed: without the table nothing can be accepted), then follows Kafka in the
   * background. A database that is down, or locked by another replica's migration, is waited for (the replica
   * does not listen meanwhile); any other migration failure ends the start.
   */
  async start(stop: AbortSignal): Promise<void> {
    const { pool, config } = this.parts;
    await retryTransient(() => migrateGatewaySchema(pool, { outboxTable: config.OUTBOX_TABLE }), {
      onRetry: (err, attempt, delay) =>
        this.logger.warn(
          `cannot migrate the database yet (${(err as Error).message}, ${attempt} in a row); retrying in ${delay} ms`,
        ),
      stop,
    });
    this.parts.chainGuard?.start();
    // Not awaited by stop either: a join stuck in Kafka's own retries must not hold up the shutdown.
    void this.following.run(stop);
  }

  /** Stops consuming and relaying, then closes connections. */
  async stop(): Promise<void> {
    this.parts.chainGuard?.stop();
    await this.following.stop();
    await this.parts.upstream.close().catch(() => undefined);
    this.parts.chainReader?.close();
    await this.parts.pool.end().catch(() => undefined);
  }
}
