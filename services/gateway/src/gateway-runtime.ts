import type { DependencyCheck, ServiceRuntime } from '@microraiden/service-kit';
import type { Registry } from 'prom-client';
import { composeGateway, type GatewayParts } from './gateway-composition';
import { upstreamProbe } from './upstream-probe';

/**
 * One gateway replica: `@microraiden/paywall`'s PaywallRuntime (migration, channel-event projector, outbox relay,
 * close endpoint: what an embedding app runs too) plus the reverse proxy, the chain guard and the management
 * queries ({@link composeGateway} builds them), started and stopped through libs/service-kit's ServiceLifecycle.
 */
export class GatewayRuntime implements ServiceRuntime {
  private constructor(private readonly parts: GatewayParts) {}

  /** Reads the deployment, routes and key, and wires the replica; starts nothing yet. */
  static async create(config: GatewayParts['config'], registry: Registry) {
    return new GatewayRuntime(await composeGateway(config, registry));
  }

  readonly config = this.parts.config;
  readonly paywallRuntime = this.parts.paywallRuntime;
  readonly identity = this.paywallRuntime.identity;
  readonly pool = this.paywallRuntime.pool;
  /** One pool per shard (DATABASE_URLS), in shard order; `pool` is the first. */
  readonly pools = this.paywallRuntime.pools;
  readonly paywall = this.paywallRuntime.paywall;
  readonly closeEndpoint = this.paywallRuntime.closeEndpoint;
  readonly proxy = this.parts.proxy;
  readonly queries = this.parts.queries;

  /** Resolves once the channel-event consumer has joined its group (tests wait on it). */
  get channelsFollowed(): Promise<void> {
    return this.paywallRuntime.channelsFollowed;
  }

  /**
   * The paywall's checks (Postgres, Kafka, the channel-event consumer's join and, when configured, the chain guard,
   * which only reports) and the upstream.
   */
  readiness(): DependencyCheck[] {
    return [...this.paywallRuntime.readiness(), upstreamProbe(this.parts.config.UPSTREAM_URL)];
  }

  /**
   * Migrates the database and follows Kafka in the background (PaywallRuntime.start: a database that is down, or
   * locked by another replica's migration, is waited for and the replica does not listen meanwhile; any other
   * migration failure ends the start), then starts the chain guard.
   */
  async start(stop: AbortSignal): Promise<void> {
    await this.paywallRuntime.start(stop);
  }

  /** Stops consuming and relaying, then closes connections. */
  async stop(): Promise<void> {
    await this.paywallRuntime.stop();
    await this.parts.upstream.close().catch(() => undefined);
  }
}
