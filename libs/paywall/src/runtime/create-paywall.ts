import { parseDeployment } from '@microraiden/contracts';
import { channelDomain, checksummedAddress } from '@microraiden/protocol';
import type { Pool } from 'pg';
import { Paywall, type PaywallOptions } from '../core/paywall';
import type { PgChannelStoreOptions } from '../postgres/pg-channel-store';
import { RouteTable, type PriceHook } from '../core/route-table';
import { parseRoutesFile } from '../core/routes-file';
import { channelStoreOver } from '../postgres/sharded-channel-store';

/** What an application embedding the paywall gives {@link createPaywall}. */
export interface CreatePaywallOptions extends PgChannelStoreOptions {
  /**
   * The gateway's tables, migrated by `migrateGatewaySchema` (channel rows come from the channel projection). A list
   * is one database per shard, in shard order (migrated by `migrateGatewayShards`): each proof goes to the shard
   * `shardOfChannel` names for its channel; every replica must list the same databases in the same order.
   */
  readonly pool: Pool | readonly Pool[];
  /** The address payments are made to (no key: accepting needs none). */
  readonly receiver: string;
  /** The deployment file's JSON (`chainId`, `channelManager`, `token`, ...), validated here. */
  readonly deployment: unknown;
  /** The routes file's `routes` array: `{ path | prefix, price | prices | free, priceHook? }`. */
  readonly routes: readonly unknown[];
  readonly priceHooks?: Readonly<Record<string, PriceHook>>;
  /** Names this process in `balance-proof.accepted` events (default `embedded`). */
  readonly gatewayId?: string;
  /** Prefix of a management API, sent in RDN-Gateway-Path (default `/api/1`). */
  readonly gatewayPath?: string;
  readonly log?: PaywallOptions['log'];
}

/**
 * A Paywall over the shared Postgres table from plain JSON (deployment file, routes file), for apps that are not
 * the gateway service. Bad input throws here, at start-up, not on the first request.
 */
export function createPaywall(options: CreatePaywallOptions): Paywall {
  const deployment = parseDeployment(options.deployment);
  const routes = parseRoutesFile({ routes: options.routes }, 'routes');
  const { balanceProofsTopic, outboxTable, acceptBatchesInFlight } = options;
  const storeOptions: PgChannelStoreOptions = {
    ...(balanceProofsTopic === undefined ? {} : { balanceProofsTopic }),
    ...(outboxTable === undefined ? {} : { outboxTable }),
    ...(acceptBatchesInFlight === undefined ? {} : { acceptBatchesInFlight }),
  };
  return new Paywall({
    identity: {
      receiver: checksummedAddress(options.receiver, 'receiver'),
      domain: channelDomain(BigInt(deployment.chainId), deployment.channelManager),
      token: checksummedAddress(deployment.token, 'token'),
      gatewayPath: options.gatewayPath ?? '/api/1',
    },
    routes: new RouteTable(routes, options.priceHooks),
    store: channelStoreOver(
      Array.isArray(options.pool) ? options.pool : [options.pool as Pool],
      storeOptions,
    ),
    gatewayId: options.gatewayId ?? 'embedded',
    ...(options.log === undefined ? {} : { log: options.log }),
  });
}
