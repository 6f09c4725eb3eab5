import { Counter, Gauge, type Registry } from 'prom-client';

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
  readonly leader: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    const p = 'microraiden_chain_watcher_';
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
      help: 'Block of the stored checkpoint: every log up to it is published',
      registers,
    });
    this.confirmationLag = new Gauge({
      name: `${p}confirmation_lag_blocks`,
      help: 'Head block minus the last processed block',
      registers,
    });
    this.eventsPublished = new Counter({
      name: `${p}events_published_total`,
      help: 'Channel events acknowledged by Kafka, by type (retractions included)',
      labelNames: ['type'],
      registers,
    });
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
    this.withdrawals = new Counter({
      name: `${p}withdrawals_total`,
      help: 'WITHDRAW_THRESHOLD withdrawals: submitted, replaced, withdrawn, failed',
      labelNames: ['outcome'],
      registers,
    });
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
    this.followErrors = new Counter({
      name: `${p}follow_errors_total`,
      help: 'Failed follow, dispute or balance rounds (retried)',
      registers,
    });
  }
}
