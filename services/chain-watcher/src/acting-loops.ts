import {
  ChainFollower,
  Disputer,
  EthersChain,
  GasFundsGate,
  TransactionSender,
  Withdrawer,
} from '@microraiden/chain-watcher';
import { every } from '@microraiden/service-kit';
import { observeStep } from './step-metrics';
import { SOURCE, type WatcherParts } from './watcher-composition';

/** Longest pause of a failing loop: well inside DISPUTE_MARGIN_SECONDS, so an outage's end is noticed in time. */
const MAX_LOOP_BACKOFF_MS = 5_000;

/** What the leader does until `term` aborts: follow the chain, dispute and withdraw, watch the receiver's ETH. */
export async function actForReceiver(parts: WatcherParts, term: AbortSignal): Promise<void> {
  await Promise.all([followLoop(parts, term), disputeLoop(parts, term), fundsLoop(parts, term)]);
}

/**
 * Runs `work` every poll interval until `term` aborts; failures are logged, counted and retried, backing off (up
 * to {@link MAX_LOOP_BACKOFF_MS}) while they repeat, as when the database or the RPC node is gone.
 */
function loop(parts: WatcherParts, term: AbortSignal, what: string, work: () => Promise<void>) {
  const pollMs = parts.config.POLL_INTERVAL_MS;
  return every(work, {
    stop: term,
    intervalMs: pollMs,
    backoff: { initialMs: pollMs, maxMs: Math.max(pollMs, MAX_LOOP_BACKOFF_MS), jitter: true },
    onError: (err, failures) => {
      parts.metrics.followErrors.inc();
      parts.log.error(`${what} failed (${failures} in a row), retrying`, { error: (err as Error).message });
    },
  });
}

function followLoop(parts: WatcherParts, term: AbortSignal): Promise<void> {
  const { config, deployment, metrics, chainLag, log } = parts;
  const follower = new ChainFollower(
    new EthersChain(parts.provider, deployment.channelManager),
    parts.store,
    {
      chainId: deployment.chainId,
      channelManager: deployment.channelManager,
      source: SOURCE,
      startBlock: deployment.deployBlock,
      confirmations: config.CONFIRMATIONS,
      maxBlockRange: config.MAX_BLOCK_RANGE,
      receiver: parts.wallet.address,
    },
    log,
    {
      onStep: (outcome) => observeStep(outcome, metrics, chainLag, log),
      onQueued: (events) => {
        for (const event of events) metrics.eventsPublished.inc({ type: event.type });
      },
    },
  );
  return loop(parts, term, 'follow', () => follower.catchUp(100).then(() => undefined));
}

// One loop and one sender: disputes (deadlines) go first, withdrawals (no deadline) after.
function disputeLoop(parts: WatcherParts, term: AbortSignal): Promise<void> {
  const { config, deployment, metrics, log, store } = parts;
  const feePolicy = {
    replaceAfterMs: config.TX_REPLACE_AFTER_MS,
    bumpPercent: BigInt(config.TX_BUMP_PERCENT),
    maxFeeCap: config.MAX_FEE_PER_GAS_GWEI,
  };
  const sender = transactionSender(parts, feePolicy);
  const chain = new EthersChain(parts.provider, deployment.channelManager);
  const disputer = new Disputer(
    store,
    chain,
    sender,
    {
      channelManager: deployment.channelManager,
      feePolicy,
      marginSeconds: BigInt(config.DISPUTE_MARGIN_SECONDS),
      autoSettle: config.AUTO_SETTLE,
    },
    log,
    (signal) => metrics.disputes.inc({ outcome: signal }),
  );
  const threshold = config.WITHDRAW_THRESHOLD;
  const withdrawer =
    threshold === undefined
      ? undefined
      : new Withdrawer(
          store,
          chain,
          sender,
          { channelManager: deployment.channelManager, threshold, feePolicy },
          log,
          (signal) => metrics.withdrawals.inc({ outcome: signal }),
        );
  return loop(parts, term, 'dispute', async () => {
    await disputer.tick();
    await withdrawer?.tick();
  });
}

function transactionSender(
  parts: WatcherParts,
  feePolicy: ConstructorParameters<typeof TransactionSender>[3],
): TransactionSender {
  const { provider, wallet, metrics, log } = parts;
  const funds = new GasFundsGate(() => provider.getBalance(wallet.address), {}, log, {
    onRefused: () => metrics.unfundedSends.inc(),
    onShortChanged: (short) => metrics.receiverFundsInsufficient.set(short ? 1 : 0),
  });
  return new TransactionSender(
    wallet,
    provider,
    BigInt(parts.deployment.chainId),
    feePolicy,
    undefined,
    log,
    funds,
  );
}

function fundsLoop(parts: WatcherParts, term: AbortSignal): Promise<void> {
  let low = false;
  return loop(parts, term, 'receiver balance', async () => {
    const wasLow = low;
    await parts.funds.check().then(
      () => (low = false),
      (err: Error) => {
        if (!/below MIN_RECEIVER_ETH/.test(err.message)) throw err;
        low = true;
        // The alarm is the metric and readiness; one line per low period says why, not one per poll.
        if (!wasLow) parts.log.warn(err.message);
      },
    );
    if (wasLow && !low) parts.log.info('receiver ETH balance back above MIN_RECEIVER_ETH');
  });
}
