import type { Address } from '@microraiden/protocol';
import { ChainChannelReads } from '../core/chain-channel-reads';
import { ChainGuard } from '../core/chain-guard';
import { chainWatcherProbe } from './chain-watcher-probe';
import type { PaywallRuntimeLog } from './channel-following';
import type { PaywallIdentity } from '../core/paywall';
import type { PaywallCheck } from '../core/readiness';
import { RpcChainChannelReader } from './rpc-chain-channel-reader';

/** What {@link paywallChainOf} builds the chain guard and the chain reads from (the gateway's env, startPaywall's options). */
export interface PaywallChainOptions {
  readonly chainId: number;
  readonly channelManager: Address;
  /**
   * A JSON-RPC endpoint (http/https) of the deployment's chain: read for the token's symbol and decimals at start and
   * for proofs the paywall's own view refuses (unknown channel, deposit too small), so that a creation or top-up mined
   * but not yet confirmed gets CHANNEL_INSUFFICIENT_CONFIRMATIONS. Unset: neither is read.
   */
  readonly rpcUrl?: string;
  /** Bound of one chain read (default 2000 ms). */
  readonly rpcTimeoutMs?: number;
  /** The chain-watcher's CONFIRMATIONS: how deep a change must be before it is published (default 2). */
  readonly confirmations?: number;
  /**
   * The chain-watcher's base URL: while its `/health/ready` has failed for longer than `chainWatcherGraceMs`, paid
   * routes answer 503 GATEWAY_UNAVAILABLE. Unset: payments are accepted even when nothing follows the chain.
   */
  readonly chainWatcherUrl?: string;
  /** Default 30,000 ms. */
  readonly chainWatcherGraceMs?: number;
  /** Between two probes of the watcher (default 2000 ms). */
  readonly chainWatcherPollMs?: number;
  /** Where the unset options, the guard's changes and failed reads are told. */
  readonly log: PaywallRuntimeLog;
  /** What the warnings call the two URLs (default `rpcUrl`, `chainWatcherUrl`; the gateway's env names). */
  readonly names?: { readonly rpcUrl: string; readonly chainWatcherUrl: string };
}

const OPTION_NAMES = { rpcUrl: 'rpcUrl', chainWatcherUrl: 'chainWatcherUrl' } as const;

/** The paywall's optional chain collaborators; a {@link PaywallRuntime} starts the guard and closes the reader. */
export interface PaywallChain {
  readonly guard?: ChainGuard;
  readonly reader?: RpcChainChannelReader;
  readonly reads?: ChainChannelReads;
}

/** Builds the guard and the chain reads the options ask for (nothing connects yet), warning about what is unset. */
export function paywallChainOf(options: PaywallChainOptions): PaywallChain {
  const guard = chainGuardOf(options);
  const reader = chainReaderOf(options);
  const reads =
    reader === undefined
      ? undefined
      : new ChainChannelReads({
          reader,
          required: options.confirmations ?? 2,
          timeoutMs: options.rpcTimeoutMs ?? 2_000,
          onError: (err) =>
            options.log('warn', `chain read failed: ${(err as Error)?.message ?? String(err)}`),
        });
  return {
    ...(guard === undefined ? {} : { guard }),
    ...(reader === undefined ? {} : { reader, reads }),
  };
}

function chainGuardOf(options: PaywallChainOptions): ChainGuard | undefined {
  const { chainWatcherUrl, log } = options;
  if (chainWatcherUrl === undefined) {
    log(
      'warn',
      `${(options.names ?? OPTION_NAMES).chainWatcherUrl} is not set: payments are accepted even when nothing follows the chain or can dispute for the receiver`,
    );
    return undefined;
  }
  const graceMs = options.chainWatcherGraceMs ?? 30_000;
  return new ChainGuard({
    probe: chainWatcherProbe(chainWatcherUrl),
    intervalMs: options.chainWatcherPollMs ?? 2_000,
    graceMs,
    onChange: (verdict) => {
      if (verdict.open) log('info', 'the chain-watcher is ready again: accepting payments');
      else
        log(
          'error',
          `the chain-watcher has not been ready for more than ${graceMs / 1000} s: refusing payments (${verdict.reason})`,
        );
    },
  });
}

function chainReaderOf(options: PaywallChainOptions): RpcChainChannelReader | undefined {
  if (options.rpcUrl === undefined) {
    options.log(
      'warn',
      `${(options.names ?? OPTION_NAMES).rpcUrl} is not set: a proof for a channel or top-up mined but not yet confirmed gets CHANNEL_NOT_FOUND or BALANCE_EXCEEDS_DEPOSIT instead of CHANNEL_INSUFFICIENT_CONFIRMATIONS, and amounts go without the token symbol`,
    );
    return undefined;
  }
  const { chainId, channelManager } = options;
  return new RpcChainChannelReader(
    options.rpcUrl,
    { chainId, channelManager },
    options.rpcTimeoutMs ?? 2_000,
  );
}

/**
 * The identity with the token's symbol and decimals read over `chain.reader` (one read at start serves every 402,
 * the paywall page and x402's `extra`); unchanged without a reader or when the token does not answer.
 */
export async function withTokenInfo(
  identity: PaywallIdentity,
  chain: PaywallChain,
  log: PaywallRuntimeLog,
): Promise<PaywallIdentity> {
  if (chain.reader === undefined || identity.tokenInfo !== undefined) return identity;
  const tokenInfo = await chain.reader.tokenInfo(identity.token);
  if (tokenInfo !== undefined) return { ...identity, tokenInfo };
  log('warn', 'the token did not answer symbol()/decimals(): amounts go without the token symbol');
  return identity;
}

/**
 * The guard's state as a readiness check. It always passes: a process whose watcher is down still serves free
 * routes (and the gateway its management API), so an orchestrator must not take it out of rotation for that.
 */
export function chainGuardCheck(guard: ChainGuard): PaywallCheck {
  return {
    name: 'chain-watcher',
    check() {
      const verdict = guard.verdict();
      return Promise.resolve({
        payments: verdict.open ? 'accepted' : 'refused',
        watcherReady: verdict.reason === undefined,
        // Why the watcher is not ready stays in the log (the guard's onChange): readiness is public.
        notReadyForSeconds: Math.floor(verdict.notReadyForMs / 1000),
      });
    },
  };
}
