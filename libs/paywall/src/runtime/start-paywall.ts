import { parseDeployment } from '@microraiden/contracts';
import type { KafkaClientOptions } from '@microraiden/kafka';
import { createPgPool } from '@microraiden/persistence';
import { channelDomain, checksummedAddress } from '@microraiden/protocol';
import type { Pool } from 'pg';
import type { PaywallRuntimeLog, PaywallTopics } from '../chain/channel-following';
import type { PaywallIdentity } from '../core/paywall';
import { paywallChainOf, withTokenInfo, type PaywallChain } from '../chain/paywall-chain';
import { PaywallRuntime, STDERR_PAYWALL_LOG } from './paywall-runtime';
import type { ReceiverKey } from '../core/receiver-key';
import { RouteTable, type PriceHook } from '../core/route-table';
import { parseRoutesFile } from '../core/routes-file';

/** What an application embedding the paywall gives {@link startPaywall}: plain JSON and connection strings. */
export interface StartPaywallOptions {
  /** The deployment file's JSON (`chainId`, `channelManager`, `token`, ...), validated here. */
  readonly deployment: unknown;
  /** The routes file's `routes` array: `{ path | prefix, price | prices | free, priceHook? }`. */
  readonly routes: readonly unknown[];
  readonly priceHooks?: Readonly<Record<string, PriceHook>>;
  /** The receiver's key (`receiverKeyOf(wallet)`): payments go to its address, it signs cooperative closes. */
  readonly receiverKey: ReceiverKey;
  /**
   * The database of the paywall's tables (migrated here); the relay and readiness open their own connections. Give
   * this or {@link databaseUrls}.
   */
  readonly databaseUrl?: string;
  /**
   * Several databases, channels sharded across them by channel id (docs/scaling.md; the gateway's DATABASE_URLS):
   * every process must list the same ones in the same order. One URL is exactly `databaseUrl`.
   */
  readonly databaseUrls?: readonly string[];
  /**
   * Queried by the paywall, the closer and the projector; default a pool of 10 per database made here (and ended on
   * stop). With `databaseUrls`, one pool per database in the same order.
   */
  readonly pool?: Pool | readonly Pool[];
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
  /**
   * A JSON-RPC endpoint (http/https) of the deployment's chain. Read once by {@link startPaywall} for the token's
   * `symbol()` and `decimals()` (shown beside base units on the paywall page and in x402's `extra`), and for a
   * proof naming a channel the paywall does not know or exceeding its known deposit: a creation or top-up mined
   * but not yet `confirmations` deep then gets 402 CHANNEL_INSUFFICIENT_CONFIRMATIONS instead of CHANNEL_NOT_FOUND
   * / BALANCE_EXCEEDS_DEPOSIT. Unset: neither is read (and a warning says so).
   */
  readonly rpcUrl?: string;
  /** Bound of one chain read (default 2000 ms). */
  readonly rpcTimeoutMs?: number;
  /** The chain-watcher's CONFIRMATIONS (default 2, its default): how deep a change is before it is published. */
  readonly confirmations?: number;
  /**
   * The chain-watcher's base URL: its `/health/ready` is polled every `chainWatcherPollMs` (default 2000), and while
   * it has failed for longer than `chainWatcherGraceMs` (default 30,000) paid routes answer 503
   * GATEWAY_UNAVAILABLE (docs/protocol.md 8.2). Unset: payments are accepted even when nothing follows the chain
   * (and a warning says so).
   */
  readonly chainWatcherUrl?: string;
  readonly chainWatcherGraceMs?: number;
  readonly chainWatcherPollMs?: number;
  /** Aborting it stops the runtime, like `stop()`. */
  readonly signal?: AbortSignal;
  /** Default: warnings and errors as JSON lines on stderr. */
  readonly log?: PaywallRuntimeLog;
}

/** What the options resolve to before anything is read or started. */
interface Composition {
  readonly identity: PaywallIdentity;
  readonly routes: RouteTable;
  readonly chain: PaywallChain;
}

function compositionOf(options: StartPaywallOptions): Composition {
  databaseUrlsOf(options);
  const deployment = parseDeployment(options.deployment);
  const routes = new RouteTable(parseRoutesFile({ routes: options.routes }, 'routes'), options.priceHooks);
  const receiver = checksummedAddress(options.receiverKey.address, 'receiverKey.address');
  const identity: PaywallIdentity = {
    receiver,
    domain: channelDomain(BigInt(deployment.chainId), deployment.channelManager),
    token: checksummedAddress(deployment.token, 'token'),
    gatewayPath: options.gatewayPath ?? '/api/1',
  };
  const chain = paywallChainOf({
    chainId: deployment.chainId,
    channelManager: identity.domain.verifyingContract,
    ...definedOf(options, [
      'rpcUrl',
      'rpcTimeoutMs',
      'confirmations',
      'chainWatcherUrl',
      'chainWatcherGraceMs',
      'chainWatcherPollMs',
    ]),
    log: options.log ?? STDERR_PAYWALL_LOG,
  });
  return { identity, routes, chain };
}

// exactOptionalPropertyTypes: pass on only the keys the app set.
function definedOf<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(
    keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]),
  ) as Partial<Pick<T, K>>;
}

/** The databases in shard order: `databaseUrls`, or `databaseUrl` alone; exactly one of them, no repeats. */
export function databaseUrlsOf(options: Pick<StartPaywallOptions, 'databaseUrl' | 'databaseUrls'>): string[] {
  const { databaseUrl, databaseUrls } = options;
  if ((databaseUrl === undefined) === (databaseUrls === undefined))
    throw new RangeError('startPaywall needs databaseUrl or databaseUrls (not both)');
  const urls = databaseUrls === undefined ? [databaseUrl as string] : [...databaseUrls];
  if (urls.length === 0 || urls.some((url) => typeof url !== 'string' || url === ''))
    throw new RangeError('databaseUrls must list at least one database URL');
  if (new Set(urls).size !== urls.length) throw new RangeError('databaseUrls lists a database twice');
  return urls;
}

function poolsOf(options: StartPaywallOptions, urls: readonly string[]): Pool[] {
  const given = options.pool;
  if (given !== undefined) {
    const pools = Array.isArray(given) ? [...given] : [given as Pool];
    if (pools.length !== urls.length)
      throw new RangeError(`${pools.length} pools for ${urls.length} database URLs: give one per database`);
    return pools;
  }
  const log = options.log;
  return urls.map((databaseUrl, shard) =>
    createPgPool({
      databaseUrl,
      applicationName: 'microraiden-paywall',
      onIdleError: (err) =>
        (log ?? (() => undefined))(
          'warn',
          `idle database connection failed${urls.length === 1 ? '' : ` (shard ${shard})`}: ${err.message}`,
        ),
    }),
  );
}

function runtimeOf(options: StartPaywallOptions, { identity, routes, chain }: Composition): PaywallRuntime {
  const gatewayId = options.gatewayId ?? 'embedded';
  const log = options.log;
  const kafka: KafkaClientOptions = {
    brokers: options.kafkaBrokers,
    clientId: `paywall-${gatewayId}`.slice(0, 200),
    ...(log === undefined
      ? {}
      : { log: (level, message, extra) => level !== 'debug' && log(level, `kafka: ${message}`, extra) }),
  };
  const urls = databaseUrlsOf(options);
  const pools = poolsOf(options, urls);
  return new PaywallRuntime({
    identity,
    routes,
    receiverKey: options.receiverKey,
    gatewayId,
    // One database is exactly the unsharded code (a pool, a URL); several shard channels by channel id.
    pool: pools.length === 1 ? pools[0]! : pools,
    databaseUrl: urls.length === 1 ? urls[0]! : urls,
    ownsPool: options.pool === undefined,
    kafka,
    groupId: options.groupId ?? `microraiden-paywall-${identity.receiver.toLowerCase()}`,
    chain,
    ...(options.topics === undefined ? {} : { topics: options.topics }),
    ...(options.outbox === undefined ? {} : { outbox: options.outbox }),
    ...(log === undefined ? {} : { log }),
  });
}

/**
 * Builds the runtime from the embedding app's options; starts nothing and reads nothing, so its amounts go without
 * the token's symbol ({@link startPaywall} reads it first). Bad input throws here.
 */
export function createPaywallRuntime(options: StartPaywallOptions): PaywallRuntime {
  return runtimeOf(options, compositionOf(options));
}

/**
 * The one call an embedding app makes: reads the token's symbol and decimals (with `rpcUrl`), migrates the
 * paywall's tables, then (in the background) projects channel events, relays accepted proofs and polls the
 * chain-watcher (with `chainWatcherUrl`), and resolves with the running {@link PaywallRuntime}. Mount it with
 * `paywallMiddleware(runtime)` (or `paywallFetchHandler(runtime)`), which also answers the close endpoint; add
 * `runtime.ready()` to the app's readiness; call `runtime.stop()` on shutdown.
 */
export async function startPaywall(options: StartPaywallOptions): Promise<PaywallRuntime> {
  const composition = compositionOf(options);
  // Before the Paywall is built: it renders its challenge (402 headers, page, x402 extra) once, with the symbol.
  const identity = await withTokenInfo(
    composition.identity,
    composition.chain,
    options.log ?? STDERR_PAYWALL_LOG,
  );
  const runtime = runtimeOf(options, { ...composition, identity });
  options.signal?.addEventListener('abort', () => void runtime.stop(), { once: true });
  try {
    await runtime.start(options.signal);
  } catch (err) {
    await runtime.stop();
    throw err;
  }
  return runtime;
}
