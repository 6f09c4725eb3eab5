import { createOutboxRelay, kafkaProbe, type KafkaClientOptions, type OutboxRelay } from '@microraiden/kafka';
import { postgresProbe, retryTransient, type DatabaseTimeouts } from '@microraiden/persistence';
import type { Pool } from 'pg';
import { ChannelCloser } from './channel-closer';
import { ChannelEventProjector } from './channel-event-projector';
import {
  ChannelFollowing,
  DEFAULT_PAYWALL_TOPICS,
  type PaywallRuntimeLog,
  type PaywallTopics,
} from './channel-following';
import { CloseEndpoint } from './close-endpoint';
import { migrateGatewaySchema } from './gateway-schema';
import { Paywall, type PaywallIdentity, type PaywallOptions } from './paywall';
import { chainGuardCheck, type PaywallChain } from './paywall-chain';
import type { PaywallMetrics } from './paywall-metrics';
import { PgChannelStore } from './pg-channel-store';
import type { ReceiverKey } from './receiver-key';
import { checkReadiness, type PaywallCheck, type ReadinessReport } from './readiness';
import type { RouteTable } from './route-table';

/** Everything a {@link PaywallRuntime} runs on; the gateway service and {@link startPaywall} both build one. */
export interface PaywallRuntimeOptions {
  readonly identity: PaywallIdentity;
  readonly routes: RouteTable;
  /** Signs the closing proofs of cooperative closes; its address must be `identity.receiver`. */
  readonly receiverKey: ReceiverKey;
  /** Names this process in `balance-proof.accepted` / `close-signed` events. */
  readonly gatewayId: string;
  /** The pool the paywall, the closer and the projector query. */
  readonly pool: Pool;
  /** The same database: the outbox relay and the readiness probe open their own connections. */
  readonly databaseUrl: string;
  /** End `pool` on stop (true when whoever built the runtime made the pool for it). */
  readonly ownsPool: boolean;
  readonly kafka: KafkaClientOptions;
  readonly topics?: Partial<PaywallTopics>;
  /** The consumer group projecting channel events: one per database (replicas of one database share it). */
  readonly groupId: string;
  /** libs/kafka's outbox table (default `outbox`) and how often the relay polls it (default 100 ms). */
  readonly outbox?: { readonly table?: string; readonly pollIntervalMs?: number };
  readonly acceptBatchesInFlight?: number;
  readonly timeouts?: DatabaseTimeouts;
  /**
   * The chain guard and chain reads (`paywallChainOf`): the paywall refuses payments through the guard and reads
   * unconfirmed changes through the reads; the runtime starts the guard after the migration, reports it in
   * readiness, and stops it and closes the reader on stop.
   */
  readonly chain?: PaywallChain;
  /** The paywall's other optional collaborators (Retry-After, a clock; a stub guard or reads in tests). */
  readonly paywall?: Pick<PaywallOptions, 'chainGuard' | 'chainReads' | 'retryAfter' | 'clock'>;
  /** The paywall's metrics; given the relay so the outbox lag can be one of them. */
  readonly metrics?: (relay: OutboxRelay) => PaywallMetrics;
  readonly log?: PaywallRuntimeLog;
}

/** Warnings and errors to stderr: an embedding app that passes no log still hears that Kafka is down. */
export const STDERR_PAYWALL_LOG: PaywallRuntimeLog = (level, message, extra) => {
  if (level !== 'info')
    process.stderr.write(
      `${JSON.stringify({ level, name: 'microraiden-paywall', msg: message, ...extra })}\n`,
    );
};

// Acceptances are inserted without NOTIFY (one round trip each): the relay polls and publishes in batches.
function relayOf(options: PaywallRuntimeOptions): OutboxRelay {
  return createOutboxRelay({
    databaseUrl: options.databaseUrl,
    client: options.kafka,
    ...(options.outbox?.table === undefined ? {} : { table: options.outbox.table }),
    pollIntervalMs: options.outbox?.pollIntervalMs ?? 100,
    batchSize: 500,
    listen: false,
    ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
  });
}

function paywallOf(
  options: PaywallRuntimeOptions,
  store: PgChannelStore,
  relay: OutboxRelay,
  log: PaywallRuntimeLog,
) {
  const { guard, reads } = options.chain ?? {};
  return new Paywall({
    ...(guard === undefined ? {} : { chainGuard: guard }),
    ...(reads === undefined ? {} : { chainReads: reads }),
    ...options.paywall,
    identity: options.identity,
    routes: options.routes,
    store,
    gatewayId: options.gatewayId,
    ...(options.metrics === undefined ? {} : { metrics: options.metrics(relay) }),
    log: (message, extra) => log('error', message, extra),
  });
}

/**
 * What the paywall needs besides answering requests, in the shape of libs/service-kit's ServiceRuntime
 * (`start(signal)`, `stop()`, `readiness()`): the migration of its tables, the projection of
 * `microraiden.channels.v1` into them, the outbox relay publishing accepted proofs and close signatures, and the
 * close endpoint (`closeEndpoint`, answered by `paywallMiddleware(runtime)` and `paywallFetchHandler(runtime)`).
 * The gateway service runs one behind its reverse proxy; an embedding app gets one from {@link startPaywall}.
 */
export class PaywallRuntime {
  readonly paywall: Paywall;
  readonly closer: ChannelCloser;
  readonly closeEndpoint: CloseEndpoint;
  readonly pool: Pool;
  readonly relay: OutboxRelay;
  private readonly following: ChannelFollowing;
  private readonly log: PaywallRuntimeLog;
  private readonly stopping = new AbortController();
  private checks: PaywallCheck[] | undefined;

  constructor(private readonly options: PaywallRuntimeOptions) {
    if (options.receiverKey.address.toLowerCase() !== options.identity.receiver.toLowerCase())
      throw new Error(
        `the receiver key signs for ${options.receiverKey.address}, not ${options.identity.receiver}`,
      );
    this.log = options.log ?? STDERR_PAYWALL_LOG;
    this.pool = options.pool;
    const store = new PgChannelStore(options.pool, {
      ...(options.topics?.balanceProofs === undefined
        ? {}
        : { balanceProofsTopic: options.topics.balanceProofs }),
      ...(options.outbox?.table === undefined ? {} : { outboxTable: options.outbox.table }),
      ...(options.acceptBatchesInFlight === undefined
        ? {}
        : { acceptBatchesInFlight: options.acceptBatchesInFlight }),
    });
    this.relay = relayOf(options);
    this.paywall = paywallOf(options, store, this.relay, this.log);
    this.closer = new ChannelCloser(store, options.identity, options.receiverKey, {
      gatewayId: options.gatewayId,
    });
    this.closeEndpoint = new CloseEndpoint(this.closer, this.paywall);
    const { chainId, verifyingContract } = options.identity.domain;
    this.following = new ChannelFollowing({
      kafka: options.kafka,
      topics: { ...DEFAULT_PAYWALL_TOPICS, ...options.topics },
      groupId: options.groupId,
      relay: this.relay,
      projector: new ChannelEventProjector(options.pool, {
        chainId: Number(chainId),
        channelManager: verifyingContract,
      }),
      log: this.log,
    });
  }

  get identity(): PaywallIdentity {
    return this.paywall.identity;
  }

  /** Resolves once the channel-event consumer has joined its group (tests wait on it). */
  get channelsFollowed(): Promise<void> {
    return this.following.followed;
  }

  /**
   * Postgres, Kafka, whether the channel-event consumer has joined its group and, with a chain guard, the guard
   * (which only reports), as checks an application adds to its own readiness (libs/service-kit's DependencyCheck
   * shape); the same objects on every call. {@link ready} runs them.
   */
  readiness(): PaywallCheck[] {
    const guard = this.options.chain?.guard;
    this.checks ??= [
      postgresProbe(this.options.databaseUrl),
      kafkaProbe(this.options.kafka.brokers, this.options.kafka.clientId),
      this.following.check(),
      ...(guard === undefined ? [] : [chainGuardCheck(guard)]),
    ];
    return this.checks;
  }

  /** Runs {@link readiness}'s checks: `ready` is false when one failed or took longer than `timeoutMs`. */
  ready(timeoutMs = 3_000): Promise<ReadinessReport> {
    return checkReadiness(this.readiness(), timeoutMs);
  }

  /**
   * Migrates the tables (awaited: without them nothing can be accepted; a database that is down or locked by
   * another replica's migration is waited for, any other failure rejects), then follows Kafka in the background
   * until `stop` aborts or {@link stop} is called, and starts the chain guard (its grace period counts from here).
   */
  async start(stop?: AbortSignal): Promise<void> {
    const signal = stop === undefined ? this.stopping.signal : AbortSignal.any([stop, this.stopping.signal]);
    const { pool, outbox } = this.options;
    await retryTransient(
      () => migrateGatewaySchema(pool, outbox?.table === undefined ? {} : { outboxTable: outbox.table }),
      {
        onRetry: (err, attempt, delay) =>
          this.log(
            'warn',
            `cannot migrate the database yet (${(err as Error).message}, ${attempt} in a row); retrying in ${delay} ms`,
          ),
        stop: signal,
      },
    );
    // Not awaited by stop either: a join stuck in Kafka's own retries must not hold up the shutdown.
    void this.following.run(signal);
    if (!signal.aborted) this.options.chain?.guard?.start();
  }

  /** Stops consuming and relaying, then closes the connections it opened (the pool only when it owns it). */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.options.chain?.guard?.stop();
    await this.following.stop();
    this.options.chain?.reader?.close();
    await Promise.allSettled((this.checks ?? []).map((check) => check.close?.()));
    this.checks = undefined;
    if (this.options.ownsPool) await this.pool.end().catch(() => undefined);
  }
}
