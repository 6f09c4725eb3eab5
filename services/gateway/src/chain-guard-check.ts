import { ChainGuard, chainWatcherProbe } from '@microraiden/paywall';
import type { DependencyCheck } from '@microraiden/service-kit';
import { Logger } from '@nestjs/common';
import type { GatewayConfig } from './gateway-config';

/** The guard that refuses payments while the chain-watcher is not ready (undefined when CHAIN_WATCHER_URL is unset). */
export function chainGuardOf(config: GatewayConfig): ChainGuard | undefined {
  if (config.CHAIN_WATCHER_URL === undefined) return undefined;
  const logger = new Logger('ChainGuard');
  const graceS = config.CHAIN_WATCHER_GRACE_S;
  return new ChainGuard({
    probe: chainWatcherProbe(config.CHAIN_WATCHER_URL),
    intervalMs: config.CHAIN_WATCHER_POLL_MS,
    graceMs: graceS * 1000,
    onChange: (verdict) => {
      if (verdict.open) logger.log('the chain-watcher is ready again: accepting payments');
      else
        logger.error(
          `the chain-watcher has not been ready for more than ${graceS} s: refusing payments (${verdict.reason})`,
        );
    },
  });
}

/**
 * The guard's state in /health/ready's details. It always passes: a replica whose watcher is down still serves
 * free routes and the management API, so an orchestrator must not take it out of rotation for that.
 */
export function chainGuardCheck(guard: ChainGuard): DependencyCheck {
  return {
    name: 'chain-watcher',
    check() {
      const verdict = guard.verdict();
      return Promise.resolve({
        payments: verdict.open ? 'accepted' : 'refused',
        watcherReady: verdict.reason === undefined,
        // Why the watcher is not ready stays in the log (ChainGuard's onChange): readiness is public.
        notReadyForSeconds: Math.floor(verdict.notReadyForMs / 1000),
      });
    },
  };
}
