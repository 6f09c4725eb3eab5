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

const PREFIX = 'microraiden_chain_watcher_';

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
    const gauge = (name: string, help: string) => new Gauge({ name: `${PREFIX}${name}`, help, registers });
    const counter = (name: string, help: string) =>
      new Counter({ name: `${PREFIX}${name}`, help, registers });
    const byLabel = <L extends string>(name: string, help: string, label: L, values: readonly string[]) => {
      const metric = new Counter<L>({ name: `${PREFIX}${name}`, help, labelNames: [label], registers });
      for (const value of values) metric.inc({ [label]: value } as Record<L, string>, 0);
      return metric;
    };
    this.registerScrapedGauges(registers, chainLag);
    this.leader = gauge(
      'leader',
      '1 while this watcher holds the receiver lock and acts (follows, disputes); 0 on standby',
    );
    this.headBlock = gauge('head_block', 'Latest block number of the chain');
    this.lastProcessedBlock = gauge(
      'last_processed_block',
      'Block of the stored checkpoint: every log up to it is recorded (and queued for Kafka)',
    );
    this.confirmationLag = gauge('confirmation_lag_blocks', 'Head block minus the last processed block');
    this.lastStep = gauge(
      'last_step_timestamp_seconds',
      'Unix time of the last follow step (leader only; 0 until the first)',
    );
    this.eventsPublished = byLabel(
      'events_published_total',
      'Channel events committed to the outbox for Kafka, by type (retractions included); see outbox_unpublished',
      'type',
      [...CHANNEL_LOG_EVENT_TYPES, 'channel.event-retracted'],
    );
    this.reorgs = counter('reorgs_total', 'Reorgs below the checkpoint handled');
    this.reorgDepth = gauge('last_reorg_depth_blocks', 'Depth of the last reorg');
    this.disputes = byLabel(
      'disputes_total',
      'Dispute task events: submitted, replaced, won, failed, missed, fair, cancelled',
      'outcome',
      DISPUTE_SIGNALS,
    );
    this.withdrawals = byLabel(
      'withdrawals_total',
      'WITHDRAW_THRESHOLD withdrawals: submitted, replaced, withdrawn, failed',
      'outcome',
      WITHDRAW_SIGNALS,
    );
    this.proofsKept = counter(
      'balance_proofs_kept_total',
      'Accepted balance proofs that raised a channel’s stored balance',
    );
    this.receiverBalance = gauge(
      'receiver_balance_eth',
      'ETH balance of the receiver account (display only; amounts are exact in the logic)',
    );
    this.receiverBalanceLow = gauge(
      'receiver_balance_low',
      '1 when the receiver ETH balance is below MIN_RECEIVER_ETH (disputes may not be payable)',
    );
    this.receiverFundsInsufficient = gauge(
      'receiver_funds_insufficient',
      '1 while the node refuses the receiver key’s transactions for lack of ETH: disputes are held until it is refilled',
    );
    this.unfundedSends = counter(
      'unfunded_sends_total',
      'Transactions the node refused for lack of ETH (retried with back-off, at once when the balance rises)',
    );
    this.followErrors = counter('follow_errors_total', 'Failed follow, dispute or balance rounds (retried)');
  }

  /** Gauges read at scrape time: the outbox backlog and the chain lag. */
  private registerScrapedGauges(registers: Registry[], chainLag: ChainLag): void {
    // Scrapes read every gauge concurrently: each reads the backlog itself, so neither shows the last scrape's.
    const lag = () => this.outboxLag?.().catch(() => undefined);
    new Gauge({
      name: `${PREFIX}outbox_unpublished`,
      help: 'Channel events committed but not yet published to Kafka (grows while Kafka is unreachable)',
      registers,
      async collect() {
        const now = await lag();
        if (now) this.set(now.unpublished);
      },
    });
    new Gauge({
      name: `${PREFIX}outbox_oldest_age_seconds`,
      help: 'Age of the oldest channel event not yet published to Kafka; 0 when none waits',
      registers,
      async collect() {
        const now = await lag();
        if (now) this.set(now.oldestUnpublishedAgeMs / 1000);
      },
    });
    new Gauge({
      name: `${PREFIX}chain_lag_seconds`,
      help: 'Head block timestamp minus the last processed block timestamp, read at scrape time (leader only)',
      registers,
      async collect() {
        const seconds = await chainLag.seconds().catch(() => undefined);
        if (seconds !== undefined) this.set(seconds);
      },
    });
  }

  /** Read the outbox backlog on every scrape. */
  observeOutbox(lag: () => Promise<OutboxLag>): void {
    this.outboxLag = lag;
  }
}
