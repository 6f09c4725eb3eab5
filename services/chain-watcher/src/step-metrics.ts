import type { StepOutcome, WatcherLog } from '@microraiden/chain-watcher';
import type { ChainLag } from './chain-lag';
import type { WatcherMetrics } from './watcher-metrics';

/** The block a step left the watcher at: where it advanced to, where it idles, or the reorg's common ancestor. */
export function processedBlockOf(outcome: StepOutcome): number | undefined {
  switch (outcome.kind) {
    case 'advanced':
      return outcome.to;
    case 'idle':
      return outcome.checkpoint;
    case 'reorg':
      return outcome.ancestor;
    case 'unstable':
      return undefined;
  }
}

/** Shows one follower step in the metrics (head, processed block, lag, reorgs) and the chain-lag check. */
export function observeStep(
  outcome: StepOutcome,
  metrics: WatcherMetrics,
  chainLag: ChainLag,
  log: WatcherLog,
): void {
  metrics.headBlock.set(outcome.head);
  if (outcome.kind === 'reorg') {
    metrics.reorgs.inc();
    metrics.reorgDepth.set(outcome.depth);
  }
  const processed = processedBlockOf(outcome);
  if (processed === undefined) {
    if (outcome.kind === 'unstable')
      log.warn('chain moved while reading, retrying', { reason: outcome.reason });
    return;
  }
  metrics.lastProcessedBlock.set(processed);
  metrics.confirmationLag.set(Math.max(0, outcome.head - processed));
  metrics.lastStep.setToCurrentTime();
  chainLag.follow(processed);
}
