import { parseDeployment } from '@microraiden/contracts';
import type { KafkaClientOptions } from '@microraiden/kafka';
import { createPgPool } from '@microraiden/persistence';
import { channelDomain, checksummedAddress } from '@microraiden/protocol';
import type { Pool } from 'pg';
import type { PaywallRuntimeLog, PaywallTopics } from './channel-following';
import { PaywallRuntime } from './paywall-runtime';
import type { ReceiverKey } from './receiver-key';
import { RouteTable, type PriceHook } from './route-table';
import { parseRoutesFile } from './routes-file';

/** What an application embedding the paywall gives {@link startPaywall}: plain JSON and connection strings. */
export interface StartPaywallOptions {
  /** The deployment file's JSON (`chainId`, `channelManager`, `token`, ...), validated here. */
  readonly deployment: unknown;
  /** The routes file's `routes` array: `{ path | prefix, price | prices | free, priceHook? }`. */
  readonly routes: readonly unknown[];
  readonly priceHooks?: Readonly<Record<string, PriceHook>>;
  /** The receiver's key (`receiverKeyOf(wallet)`): payments go to its address, it signs cooperative closes. */
  readonly receiverKey: ReceiverKey;
  /** The database of the paywall's tables (migrated here); the relay and readiness open their own connections. */
  readonly databaseUrl: string;
  /** Queried by the paywall, the closer and the projector; default a pool of 10 made here (and ended on stop). */
  readonly pool?: Pool;
  /** Kafka: `microraiden.channels.v1` is read from it, accepted proofs and close signatures are published to it. */
  readonly kafkaBrokers: readonly string[];
  /**
   * The consumer group projecting channel events (default `microraiden-paywall-<receiver>`). Every database needs
   * its own: two databases in one group would each see only part of the channels.
   */
  readonly groupId?: string;
  readonly topics?: Partial<PaywallTopics>;
  /** Names this process in `balance-proof.*` events (default `embedded`). */
  readonly gatewayId?: string;
  /** Where the close endpoint is answered and what RDN-Gateway-Path advertises (default `/api/1`). */
  readonly gatewayPath?: string;
  /** libs/kafka's outbox table (default `outbox`) and the relay's poll period (default 100 ms). */
  readonly outbox?: { readonly table?: string; readonly pollIntervalMs?: number };
  /** Aborting it stops the runtime, like `stop()`. */
  readonly signal?: AbortSignal;
  /** Default: warnings and errors as JSON lines on stderr. */
  readonly log?: PaywallRuntimeLog;
}

/** Builds the runtime from the embedding app's options; starts nothing. Bad input throws here. */
export function createPaywallRuntime(options: StartPaywallOptions): PaywallRuntime {
  const deployment = parseDeployment(options.deployment);
  const routes = new RouteTable(parseRoutesFile({ routes: options.routes }, 'routes'), options.priceHooks);
  const receiver = checksummedAddress(options.receiverKey.address, 'receiverKey.address');
  const gatewayId = options.gatewayId ?? 'embedded';
  const log = options.log;
  const kafka: KafkaClientOptions = {
    brokers: options.kafkaBrokers,
    clientId: `paywall-${gatewayId}`.slice(0, 200),
    ...(log === undefined
      ? {}
      : { log: (level, message, extra) => level !== 'debug' && log(level, `kafka: ${message}`, extra) }),
  };
  const pool =
    options.pool ??
    createPgPool({
      databaseUrl: options.databaseUrl,
      applicationName: 'microraiden-paywall',
      onIdleError: (err) =>
        (log ?? (() => undefined))('warn', `idle database connection failed: ${err.message}`),
    });
  return new PaywallRuntime({
    identity: {
      receiver,
      domain: channelDomain(BigInt(deployment.chainId), deployment.channelManager),
      token: checksummedAddress(deployment.token, 'token'),
      gatewayPath: options.gatewayPath ?? '/api/1',
    },
    routes,
    receiverKey: options.receiverKey,
    gatewayId,
    pool,
    databaseUrl: options.databaseUrl,
    ownsPool: options.pool === undefined,
    kafka,
    groupId: options.groupId ?? `microraiden-paywall-${receiver.toLowerCase()}`,
    ...(options.topics === undefined ? {} : { topics: options.topics }),
    ...(options.outbox === undefined ? {} : { outbox: options.outbox }),
    ...(log === undefined ? {} : { log }),
  });
}

/**
 * The one call an embedding app makes: migrates the paywall's tables, then (in the background) projects channel
 * events and relays accepted proofs, and resolves with the running {@link PaywallRuntime}. Mount it with
 * `paywallMiddleware(runtime)` (or `paywallFetchHandler(runtime)`), which also answers the close endpoint; add
 * `runtime.ready()` to the app's readiness; call `runtime.stop()` on shutdown.
 */
export async function startPaywall(options: StartPaywallOptions): Promise<PaywallRuntime> {
  const runtime = createPaywallRuntime(options);
  options.signal?.addEventListener('abort', () => void runtime.stop(), { once: true });
  try {
    await runtime.start(options.signal);
  } catch (err) {
    await runtime.stop();
    throw err;
  }
  return runtime;
}
