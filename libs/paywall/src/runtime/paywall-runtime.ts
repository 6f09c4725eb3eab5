import {
  combineOutboxRelays,
  createOutboxRelay,
  kafkaProbe,
  type KafkaClientOptions,
  type OutboxRelay,
} from '@microraiden/kafka';
import { postgresProbe, retryTransient, type DatabaseTimeouts } from '@microraiden/persistence';
import type { Pool } from 'pg';
import { ChannelCloser } from '../core/channel-closer';
import {
  ChannelFollowing,
  DEFAULT_PAYWALL_TOPICS,
  type PaywallRuntimeLog,
  type PaywallTopics,
} from '../chain/channel-following';
import { CloseEndpoint } from '../core/close-endpoint';
import type { ChannelStore } from '../core/channel-store';
import { migrateGatewayShards } from '../postgres/gateway-shards';
import { Paywall, type PaywallIdentity, type PaywallOptions } from '../core/paywall';
import { chainGuardCheck, type PaywallChain } from '../chain/paywall-chain';
import type { PaywallMetrics } from '../core/paywall-metrics';
import type { ReceiverKey } from '../core/receiver-key';
import { checkReadiness, type PaywallCheck, type ReadinessReport } from '../core/readiness';
import type { RouteTable } from '../core/route-table';
import { channelProjectorOver } from '../postgres/sharded-channel-projector';
import { channelStoreOver } from '../postgres/sharded-channel-store';

/** Everything a {@link PaywallRuntime} runs on; the gateway service and {@link startPaywall} both build one. */
export interface PaywallRuntimeOptions {
  readonly identity: PaywallIdentity;
  readonly routes: RouteTable;
  /** Signs the closing proofs of cooperative closes; its address must be `identity.receiver`. */
  readonly receiverKey: ReceiverKey;
  /** Names this process in `balance-proof.accepted` / `close-signed` events. */
  readonly gatewayId: string;
  /**
   * The pool the paywall, the closer and the projector query. Several: one database per shard, in shard order;
   * channels are sharded by channel id across them (`shardOfChannel`, docs/scaling.md), and every replica must list
   * the same databases in the same order (each records its position at its first migration and refuses another).
   */
  readonly pool: Pool | readonly Pool[];
  /** The same database(s), in the same order: the outbox relays and the readiness probes open their own connections. */
  readonly databaseUrl: string | readonly string[];
  /** End the pool(s) on stop (true when whoever built the runtime made them for it). */
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

/** The databases in shard order (one: unsharded), as pools and as URLs; the two lists must match. */
function shardsOf(options: PaywallRuntimeOptions): { pools: readonly Pool[]; urls: readonly string[] } {
  const pools = Array.isArray(options.pool) ? options.pool : [options.pool as Pool];
  const urls = typeof options.databaseUrl === 'string' ? [options.databaseUrl] : options.databaseUrl;
  if (pools.length === 0 || pools.length !== urls.length)
    throw new RangeError(`${pools.length} database pools for ${urls.length} database URLs`);
  return { pools, urls };
}

/** One relay per shard, each under its own database's advisory lock; one database: exactly one relay. */
function relaysOf(options: PaywallRuntimeOptions, urls: readonly string[]): OutboxRelay {
  return combineOutboxRelays(urls.map((databaseUrl) => relayOf(options, databaseUrl)));
}

// Acceptances are inserted without NOTIFY (one round trip each): the relay polls and publishes in batches.
function relayOf(options: PaywallRuntimeOptions, databaseUrl: string): OutboxRelay {
  return createOutboxRelay({
    databaseUrl,
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
  store: ChannelStore,
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
  /** The first shard's pool (the only one unless several were given). */
  readonly pool: Pool;
  /** One pool per shard, in shard order. */
  readonly pools: readonly Pool[];
  /** One URL per shard, in shard order. */
  readonly databaseUrls: readonly string[];
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
    const { pools, urls } = shardsOf(options);
    this.pools = pools;
    this.pool = pools[0]!;
    this.databaseUrls = urls;
    const store = channelStoreOver(pools, {
      ...(options.topics?.balanceProofs === undefined
        ? {}
        : { balanceProofsTopic: options.topics.balanceProofs }),
      ...(options.outbox?.table === undefined ? {} : { outboxTable: options.outbox.table }),
      ...(options.acceptBatchesInFlight === undefined
        ? {}
        : { acceptBatchesInFlight: options.acceptBatchesInFlight }),
    });
    this.relay = relaysOf(options, urls);
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
      projector: channelProjectorOver(pools, {
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
    const urls = this.databaseUrls;
    this.checks ??= [
      ...urls.map((url, i) =>
        urls.length === 1 ? postgresProbe(url) : { ...postgresProbe(url), name: `postgres-shard-${i}` },
      ),
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
   * Migrates the tables, every shard's (awaited: without them nothing can be accepted; a database that is down or
   * locked by another replica's migration is waited for, any other failure rejects, as does a shard at another
   * position than configured: SHARD_MISMATCH), then follows Kafka in the background until `stop` aborts or
   * {@link stop} is called, and starts the chain guard (its grace period counts from here).
   */
  async start(stop?: AbortSignal): Promise<void> {
    const signal = stop === undefined ? this.stopping.signal : AbortSignal.any([stop, this.stopping.signal]);
    const { outbox } = this.options;
    await retryTransient(
      () =>
        migrateGatewayShards(this.pools, outbox?.table === undefined ? {} : { outboxTable: outbox.table }),
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
    if (this.options.ownsPool) await Promise.all(this.pools.map((pool) => pool.end().catch(() => undefined)));
  }
}
