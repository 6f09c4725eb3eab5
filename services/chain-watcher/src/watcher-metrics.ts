import type { DisputeSignal, WithdrawSignal } from '@microraiden/chain-watcher';
import { CHANNEL_LOG_EVENT_TYPES } from '@microraiden/events';
import type { OutboxLag } from '@microraiden/kafka';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ChainLag } from './chain-lag';

// Every label value exists at zero from the start: an alert on increase() sees the first event, and a panel
// shows 0 rather than "no data". The records make the compiler insist on a new signal being listed.
const DISPUTE_SIGNALS = Object.keys({
  submitted: 0,
  replaced: 0,
  won: 0,
  failed: 0,
  missed: 0,
  fair: 0,
  cancelled: 0,
  settled: 0,
} satisfies Record<DisputeSignal, 0>);
const WITHDRAW_SIGNALS = Object.keys({
  submitted: 0,
  replaced: 0,
  withdrawn: 0,
  failed: 0,
} satisfies Record<WithdrawSignal, 0>);

/** The chain-watcher's Prometheus metrics, registered on the app's registry. */
export class WatcherMetrics {
  readonly headBlock: Gauge;
  readonly lastProcessedBlock: Gauge;
  readonly confirmationLag: Gauge;
  readonly eventsPublished: Counter<'type'>;
  readonly reorgs: Counter;
  readonly reorgDepth: Gauge;
  readonly disputes: Counter<'outcome'>;
  readonly proofsKept: Counter;
  readonly withdrawals: Counter<'outcome'>;
  readonly receiverBalance: Gauge;
  readonly receiverBalanceLow: Gauge;
  readonly followErrors: Counter;
  readonly receiverFundsInsufficient: Gauge;
  readonly unfundedSends: Counter;
  readonly leader: Gauge;
  /** Set on every follow step: how an alert tells a stalled follower from a quiet chain. */
  readonly lastStep: Gauge;
  private outboxLag: (() => Promise<OutboxLag>) | undefined;

  constructor(registry: Registry, chainLag: ChainLag) {
    const registers = [registry];
    const p = 'microraiden_chain_watcher_';
    // Scrapes read every gauge concurrently: each reads the backlog itself, so neither shows the last scrape's.
    const lag = () => this.outboxLag?.().catch(() => undefined);
    new Gauge({
      name: `${p}outbox_unpublished`,
      help: 'Channel events committed but not yet published to Kafka (grows while Kafka is unreachable)',
      registers,
      async collect() {
        const now = await lag();
        if (now) this.set(now.unpublished);
      },
    });
    new Gauge({
      name: `${p}outbox_oldest_age_seconds`,
      help: 'Age of the oldest channel event not yet published to Kafka; 0 when none waits',
      registers,
      async collect() {
        const now = await lag();
        if (now) this.set(now.oldestUnpublishedAgeMs / 1000);
      },
    });
    this.leader = new Gauge({
      name: `${p}leader`,
      help: '1 while this watcher holds the receiver lock and acts (follows, disputes); 0 on standby',
      registers,
    });
    this.headBlock = new Gauge({
      name: `${p}head_block`,
      help: 'Latest block number of the chain',
      registers,
    });
    this.lastProcessedBlock = new Gauge({
      name: `${p}last_processed_block`,
      help: 'Block of the stored checkpoint: every log up to it is recorded (and queued for Kafka)',
      registers,
    });
    this.confirmationLag = new Gauge({
      name: `${p}confirmation_lag_blocks`,
      help: 'Head block minus the last processed block',
      registers,
    });
    new Gauge({
      name: `${p}chain_lag_seconds`,
      help: 'Head block timestamp minus the last processed block timestamp, read at scrape time (leader only)',
      registers,
      async collect() {
        const seconds = await chainLag.seconds().catch(() => undefined);
        if (seconds !== undefined) this.set(seconds);
      },
    });
    this.lastStep = new Gauge({
      name: `${p}last_step_timestamp_seconds`,
      help: 'Unix time of the last follow step (leader only; 0 until the first)',
      registers,
    });
    this.eventsPublished = new Counter({
      name: `${p}events_published_total`,
      help: 'Channel events committed to the outbox for Kafka, by type (retractions included); see outbox_unpublished',
      labelNames: ['type'],
      registers,
    });
    for (const type of [...CHANNEL_LOG_EVENT_TYPES, 'channel.event-retracted'])
      this.eventsPublished.inc({ type }, 0);
    this.reorgs = new Counter({
      name: `${p}reorgs_total`,
      help: 'Reorgs below the checkpoint handled',
      registers,
    });
    this.reorgDepth = new Gauge({
      name: `${p}last_reorg_depth_blocks`,
      help: 'Depth of the last reorg',
      registers,
    });
    this.disputes = new Counter({
      name: `${p}disputes_total`,
      help: 'Dispute task events: submitted, replaced, won, failed, missed, fair, cancelled',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of DISPUTE_SIGNALS) this.disputes.inc({ outcome }, 0);
    this.withdrawals = new Counter({
      name: `${p}withdrawals_total`,
      help: 'WITHDRAW_THRESHOLD withdrawals: submitted, replaced, withdrawn, failed',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of WITHDRAW_SIGNALS) this.withdrawals.inc({ outcome }, 0);
    this.proofsKept = new Counter({
      name: `${p}balance_proofs_kept_total`,
      help: 'Accepted balance proofs that raised a channel’s stored balance',
      registers,
    });
    this.receiverBalance = new Gauge({
      name: `${p}receiver_balance_eth`,
      help: 'ETH balance of the receiver account (display only; amounts are exact in the logic)',
      registers,
    });
    this.receiverBalanceLow = new Gauge({
      name: `${p}receiver_balance_low`,
      help: '1 when the receiver ETH balance is below MIN_RECEIVER_ETH (disputes may not be payable)',
      registers,
    });
    this.receiverFundsInsufficient = new Gauge({
      name: `${p}receiver_funds_insufficient`,
      help: '1 while the node refuses the receiver key’s transactions for lack of ETH: disputes are held until it is refilled',
      registers,
    });
    this.unfundedSends = new Counter({
      name: `${p}unfunded_sends_total`,
      help: 'Transactions the node refused for lack of ETH (retried with back-off, at once when the balance rises)',
      registers,
    });
    this.followErrors = new Counter({
      name: `${p}follow_errors_total`,
      help: 'Failed follow, dispute or balance rounds (retried)',
      registers,
    });
  }

  /** Read the outbox backlog on every scrape. */
  observeOutbox(lag: () => Promise<OutboxLag>): void {
    this.outboxLag = lag;
  }
}
