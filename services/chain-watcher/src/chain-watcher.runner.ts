import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import {
  ChainFollower,
  Disputer,
  EthersChain,
  GasFundsGate,
  migrateWatcherSchema,
  PostgresWatcherStore,
  proofToKeep,
  TransactionSender,
  WATCHER_OUTBOX_TABLE,
  Withdrawer,
  type StepOutcome,
  type WatcherLog,
} from '@microraiden/chain-watcher';
import { readDeploymentFile, type Deployment } from '@microraiden/contracts';
import { loadReceiverKey } from '@microraiden/config';
import { TOPICS } from '@microraiden/events';
import { createPgPool, databaseTimeoutsOf, SessionLock } from '@microraiden/persistence';
import {
  backoffDelayMs,
  createEventConsumer,
  createOutboxRelay,
  ensureTopics,
  type EventConsumer,
  type KafkaClientOptions,
  type OutboxRelay,
} from '@microraiden/kafka';
import { JsonRpcProvider, Network, type Wallet } from 'ethers';
import type { Pool } from 'pg';
import { Registry } from 'prom-client';
import { NotReadyError } from '@microraiden/service-kit';
import { CHAIN_WATCHER_CONFIG, type ChainWatcherConfig } from './chain-watcher-config';
import { ChainLag } from './chain-lag';
import { ReceiverFundsCheck } from './receiver-funds-check';
import { StartupCheck } from './startup-check';
import { WatcherMetrics } from './watcher-metrics';

const SOURCE = 'chain-watcher';
/** Longest pause of a failing loop: well inside DISPUTE_MARGIN_SECONDS, so an outage's end is noticed in time. */
const MAX_LOOP_BACKOFF_MS = 5_000;

/**
 * Runs the chain-watcher: follows the channel manager into Kafka, keeps the receiver's accepted proofs from Kafka,
 * and disputes cheating closes. Start-up that needs the network happens in the background and is retried, so the
 * app (health, metrics) is up even while a dependency is down.
 *
 * Defending the receiver needs only the chain, Postgres and the proofs already kept: the watcher starts, follows
 * and disputes with Kafka down. Channel events wait in the outbox (`cw_outbox`) until the relay can publish them,
 * and proofs accepted meanwhile are read once the consumer joins; readiness (the `kafka` and `startup` checks) and
 * the outbox gauges show the outage.
 */
@Injectable()
export class ChainWatcherRunner implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ChainWatcher');
  private readonly log: WatcherLog = {
    info: (message, fields) => this.logger.log({ ...fields, msg: message }),
    warn: (message, fields) => this.logger.warn({ ...fields, msg: message }),
    error: (message, fields) => this.logger.error({ ...fields, msg: message }),
  };
  private readonly metrics: WatcherMetrics;
  private readonly chainLag = new ChainLag({ getBlock: (block) => this.provider.getBlock(block) });
  private deployment!: Deployment;
  private provider!: JsonRpcProvider;
  private wallet!: Wallet;
  private pool!: Pool;
  private store!: PostgresWatcherStore;
  private relay!: OutboxRelay;
  private consumer: EventConsumer | undefined;
  private stopping = false;
  private leading = false;
  private lock: SessionLock | undefined;
  private readonly loops: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();

  constructor(
    @Inject(CHAIN_WATCHER_CONFIG) private readonly config: ChainWatcherConfig,
    @Inject(Registry) registry: Registry,
    private readonly funds: ReceiverFundsCheck,
    private readonly startup: StartupCheck,
  ) {
    this.metrics = new WatcherMetrics(registry, this.chainLag);
  }

  /** Local start-up that cannot wait: a bad deployment file or key fails the app at once. */
  async onModuleInit(): Promise<void> {
    this.deployment = await readDeploymentFile(this.config.DEPLOYMENT_FILE);
    const network = Network.from(this.deployment.chainId);
    this.provider = new JsonRpcProvider(this.config.RPC_URL, network, {
      staticNetwork: network,
      cacheTimeout: -1,
      // Disputes race a deadline: no 10 ms batching stall per call.
      batchMaxCount: 1,
    });
    const receiver = loadReceiverKey(this.config);
    if (receiver.publicDevAccount !== undefined)
      this.log.warn(`MICRORAIDEN_DEV: receiver is anvil's public account ${receiver.publicDevAccount}`, {
        address: receiver.wallet.address,
      });
    this.wallet = receiver.wallet.connect(this.provider);
    this.funds.watch(this.provider, this.wallet.address, this.metrics);
    this.pool = createPgPool({
      databaseUrl: this.config.DATABASE_URL,
      max: 5,
      timeouts: databaseTimeoutsOf(this.config),
      applicationName: 'chain-watcher',
      onIdleError: (err) => this.log.warn('idle Postgres client failed', { error: err.message }),
    });
    this.store = new PostgresWatcherStore(
      this.pool,
      `${this.deployment.chainId}:${this.deployment.channelManager.toLowerCase()}`,
      { channelsTopic: this.config.CHANNELS_TOPIC },
    );
    // Every replica relays (one at a time, by advisory lock): a standby takes over the outbox of a dead leader.
    this.relay = createOutboxRelay({
      databaseUrl: this.config.DATABASE_URL,
      client: this.kafkaClient(SOURCE),
      table: WATCHER_OUTBOX_TABLE,
    });
    this.metrics.observeOutbox(() => this.relay.lag());
  }

  onApplicationBootstrap(): void {
    this.loops.push(this.start());
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const wake of [...this.wakers]) wake();
    await Promise.allSettled(this.loops);
    await this.consumer?.stop().catch(() => undefined);
    await this.relay?.stop().catch(() => undefined);
    await this.pool?.end().catch(() => undefined);
    await this.lock?.release();
    this.provider?.destroy();
  }

  /** The receiver this watcher acts for (checksummed). */
  get receiver(): string {
    return this.wallet.address;
  }

  private async start(): Promise<void> {
    await this.retry('start-up', async () => {
      const chainId = Number((await this.provider.send('eth_chainId', [])) as string);
      if (chainId !== this.deployment.chainId)
        throw new NotReadyError(
          `RPC_URL serves chain ${chainId}, the deployment is for chain ${this.deployment.chainId}`,
        );
      await migrateWatcherSchema(this.pool);
    });
    if (this.stopping) return;
    this.loops.push(this.joinKafka());
    await this.lead();
  }

  /**
   * Creates the topics, starts the outbox relay and the proof consumer, each retried until Kafka answers. Runs
   * beside {@link lead}, never before it: nothing the receiver's defence does waits for Kafka. The watcher is not
   * ready until it has joined (it could not learn the proofs the gateways accept), as before it acted at all.
   */
  private async joinKafka(): Promise<void> {
    await this.retry('Kafka topics', async () => {
      const topicConfig = { 'cleanup.policy': 'delete', 'retention.ms': '-1', 'retention.bytes': '-1' };
      await ensureTopics(this.kafkaClient(SOURCE), [
        { name: this.config.CHANNELS_TOPIC, partitions: this.config.TOPIC_PARTITIONS, config: topicConfig },
        {
          name: this.config.BALANCE_PROOFS_TOPIC,
          partitions: this.config.TOPIC_PARTITIONS,
          config: topicConfig,
        },
        // Proofs that fail verification are dead-lettered there; the consumer blocks if it is missing.
        { name: TOPICS.deadLetter.name, partitions: 1, config: topicConfig },
      ]);
    });
    if (this.stopping) return;
    // Once started the relay retries by itself (capped back-off) through later outages.
    await this.retry('outbox relay', () => this.relay.start());
    if (this.stopping) return;
    await this.retry('balance-proof consumer', () => this.startProofConsumer());
    if (this.stopping) return;
    this.startup.succeeded();
  }

  /**
   * Acts (follows the chain, disputes, withdraws) only while holding the receiver's lock in Postgres, so a second
   * watcher for the same receiver waits on standby instead of publishing and sending transactions from the same
   * key; it takes over when the holder stops or its database session dies.
   */
  private async lead(): Promise<void> {
    const name = [SOURCE, this.deployment.chainId, this.deployment.channelManager, this.wallet.address]
      .join(':')
      .toLowerCase();
    const lock = new SessionLock(this.config.DATABASE_URL, name);
    this.lock = lock;
    let standbyLogged = false;
    while (!this.stopping) {
      const acquired = await lock.tryAcquire().catch((err: Error) => {
        this.log.warn('cannot take the receiver lock, retrying', { error: err.message });
        return undefined;
      });
      if (acquired !== true) {
        if (acquired === false && !standbyLogged)
          this.log.info('standby: another chain-watcher acts for this receiver', { lock: name });
        standbyLogged ||= acquired === false;
        this.metrics.leader.set(0);
        this.startup.acting('standby');
        await this.sleep(this.config.POLL_INTERVAL_MS);
        continue;
      }
      this.leading = true;
      standbyLogged = false;
      this.metrics.leader.set(1);
      this.startup.acting('leading');
      this.log.info('watching', {
        channelManager: this.deployment.channelManager,
        receiver: this.wallet.address,
        confirmations: this.config.CONFIRMATIONS,
      });
      await Promise.all([this.followLoop(), this.disputeLoop(), this.fundsLoop(), this.keepLock(lock)]);
      this.metrics.leader.set(0);
      this.chainLag.follow(undefined);
      if (!this.stopping) this.log.error('lost the receiver lock (database session gone): stopped acting');
    }
    await lock.release();
  }

  /** Ends leadership, and with it every acting loop, as soon as the lock's session is gone. */
  private async keepLock(lock: SessionLock): Promise<void> {
    while (!this.stopping && this.leading) {
      await this.sleep(this.config.POLL_INTERVAL_MS);
      if (!(await lock.stillHeld())) {
        this.leading = false;
        for (const wake of [...this.wakers]) wake();
      }
    }
  }

  private async startProofConsumer(): Promise<void> {
    const scope = {
      chainId: this.deployment.chainId,
      channelManager: this.deployment.channelManager,
      receiver: this.wallet.address,
    };
    const consumer = createEventConsumer({
      client: this.kafkaClient(`${SOURCE}-proofs`),
      groupId: this.config.KAFKA_GROUP_ID,
      topics: [this.config.BALANCE_PROOFS_TOPIC],
      fromBeginning: true,
      maxWaitTimeMs: 250,
    });
    try {
      await consumer.run(async ({ event }) => {
        if (event.type !== 'balance-proof.accepted') return;
        const proof = proofToKeep(event, scope);
        if (proof && (await this.store.keepProof(proof))) this.metrics.proofsKept.inc();
      });
    } catch (err) {
      await consumer.stop().catch(() => undefined);
      throw err;
    }
    this.consumer = consumer;
  }

  private async followLoop(): Promise<void> {
    const chain = new EthersChain(this.provider, this.deployment.channelManager);
    const follower = new ChainFollower(
      chain,
      this.store,
      {
        chainId: this.deployment.chainId,
        channelManager: this.deployment.channelManager,
        source: SOURCE,
        startBlock: this.deployment.deployBlock,
        confirmations: this.config.CONFIRMATIONS,
        maxBlockRange: this.config.MAX_BLOCK_RANGE,
        receiver: this.wallet.address,
      },
      this.log,
      {
        onStep: (outcome) => this.observeStep(outcome),
        onQueued: (events) => {
          for (const event of events) this.metrics.eventsPublished.inc({ type: event.type });
        },
      },
    );
    await this.every('follow', () => follower.catchUp(100).then(() => undefined));
  }

  private async disputeLoop(): Promise<void> {
    const feePolicy = {
      replaceAfterMs: this.config.TX_REPLACE_AFTER_MS,
      bumpPercent: BigInt(this.config.TX_BUMP_PERCENT),
      maxFeeCap: this.config.MAX_FEE_PER_GAS_GWEI,
    };
    const funds = new GasFundsGate(() => this.provider.getBalance(this.wallet.address), {}, this.log, {
      onRefused: () => this.metrics.unfundedSends.inc(),
      onShortChanged: (short) => this.metrics.receiverFundsInsufficient.set(short ? 1 : 0),
    });
    const sender = new TransactionSender(
      this.wallet,
      this.provider,
      BigInt(this.deployment.chainId),
      feePolicy,
      undefined,
      this.log,
      funds,
    );
    const chain = new EthersChain(this.provider, this.deployment.channelManager);
    const disputer = new Disputer(
      this.store,
      chain,
      sender,
      {
        channelManager: this.deployment.channelManager,
        feePolicy,
        marginSeconds: BigInt(this.config.DISPUTE_MARGIN_SECONDS),
        autoSettle: this.config.AUTO_SETTLE,
      },
      this.log,
      (signal) => this.metrics.disputes.inc({ outcome: signal }),
    );
    const threshold = this.config.WITHDRAW_THRESHOLD;
    const withdrawer =
      threshold === undefined
        ? undefined
        : new Withdrawer(
            this.store,
            chain,
            sender,
            { channelManager: this.deployment.channelManager, threshold, feePolicy },
            this.log,
            (signal) => this.metrics.withdrawals.inc({ outcome: signal }),
          );
    // One loop and one sender: disputes (deadlines) go first, withdrawals (no deadline) after.
    await this.every('dispute', async () => {
      await disputer.tick();
      await withdrawer?.tick();
    });
  }

  private async fundsLoop(): Promise<void> {
    let low = false;
    await this.every('receiver balance', async () => {
      const wasLow = low;
      await this.funds.check().then(
        () => (low = false),
        (err: Error) => {
          if (!/below MIN_RECEIVER_ETH/.test(err.message)) throw err;
          low = true;
          // The alarm is the metric and readiness; one line per low period says why, not one per poll.
          if (!wasLow) this.log.warn(err.message);
        },
      );
      if (wasLow && !low) this.log.info('receiver ETH balance back above MIN_RECEIVER_ETH');
    });
  }

  private observeStep(outcome: StepOutcome): void {
    this.metrics.headBlock.set(outcome.head);
    if (outcome.kind === 'advanced') this.metrics.lastProcessedBlock.set(outcome.to);
    if (outcome.kind === 'idle') this.metrics.lastProcessedBlock.set(outcome.checkpoint);
    if (outcome.kind === 'reorg') {
      this.metrics.reorgs.inc();
      this.metrics.reorgDepth.set(outcome.depth);
      this.metrics.lastProcessedBlock.set(outcome.ancestor);
    }
    if (outcome.kind !== 'unstable') {
      const processed =
        outcome.kind === 'advanced'
          ? outcome.to
          : outcome.kind === 'idle'
            ? outcome.checkpoint
            : outcome.ancestor;
      this.metrics.confirmationLag.set(Math.max(0, outcome.head - processed));
      this.metrics.lastStep.setToCurrentTime();
      this.chainLag.follow(processed);
    } else this.log.warn('chain moved while reading, retrying', { reason: outcome.reason });
  }

  /**
   * Run `work` every poll interval while leading; failures are logged, counted and retried, backing off (up to
   * {@link MAX_LOOP_BACKOFF_MS}) while they repeat, as when the database or the RPC node is gone.
   */
  private async every(what: string, work: () => Promise<void>): Promise<void> {
    const policy = {
      initialDelayMs: this.config.POLL_INTERVAL_MS,
      maxDelayMs: Math.max(this.config.POLL_INTERVAL_MS, MAX_LOOP_BACKOFF_MS),
      maxAttempts: Number.POSITIVE_INFINITY,
    };
    let failures = 0;
    while (!this.stopping && this.leading) {
      try {
        await work();
        failures = 0;
      } catch (err) {
        failures += 1;
        this.metrics.followErrors.inc();
        this.log.error(`${what} failed (${failures} in a row), retrying`, { error: (err as Error).message });
      }
      await this.sleep(failures === 0 ? this.config.POLL_INTERVAL_MS : backoffDelayMs(failures, policy));
    }
  }

  /** Run `work` until it succeeds or the app stops; readiness reports the last failure meanwhile. */
  private async retry(what: string, work: () => Promise<void>): Promise<void> {
    while (!this.stopping) {
      try {
        return await work();
      } catch (err) {
        this.log.error(`${what} failed, retrying`, { error: (err as Error).message });
        this.startup.failed(what, err);
        await this.sleep(Math.max(this.config.POLL_INTERVAL_MS, 1_000));
      }
    }
  }

  private kafkaClient(clientId: string): KafkaClientOptions {
    return { brokers: this.config.KAFKA_BROKERS, clientId, log: this.kafkaLog };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const wakers = this.wakers;
      function done() {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      }
      wakers.add(done);
    });
  }

  private readonly kafkaLog: NonNullable<KafkaClientOptions['log']> = (level, message, extra) => {
    if (level === 'error' || level === 'warn') this.log.warn(`kafka: ${message}`, extra);
  };
}
