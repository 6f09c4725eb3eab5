import { Inject, Injectable, Logger } from '@nestjs/common';
import { TOPICS } from '@microraiden/events';
import { ensureTopics, kafkaProbe, type DeadLetterInfo, type KafkaClientOptions } from '@microraiden/kafka';
import {
  migrateLedger,
  openLedgerDatabase,
  startLedgerProjection,
  type BatchResult,
  type LedgerDatabase,
  type LedgerProjection,
} from '@microraiden/ledger';
import { databaseTimeoutsOf, postgresProbe } from '@microraiden/persistence';
import {
  BackgroundTasks,
  every,
  retryUntilStarted,
  type DependencyCheck,
  type ServiceRuntime,
} from '@microraiden/service-kit';
import { LedgerApiError } from './ledger-api-error';
import { LEDGER_CONFIG, ledgerTopicsOf, type LedgerConfig } from './ledger-config';
import { projectionLagCheck } from './projection-lag.check';

const RETRY_DELAY_MS = 2_000;
const LOCK_WATCH_MS = 1_000;

/**
 * Owns the database and the projection consumer. Start-up (migrations, topics, joining the group) runs in the
 * background and retries until it works, so the process is live at once and ready only when it is truly caught up.
 * Run by libs/service-kit's ServiceLifecycle.
 */
@Injectable()
export class LedgerRuntime implements ServiceRuntime {
  private readonly logger = new Logger(LedgerRuntime.name);
  private readonly tasks = new BackgroundTasks((what, err) =>
    this.logger.error(`${what} ended: ${(err as Error).message}`),
  );
  private source: LedgerDatabase | undefined;
  private migrated = false;
  private projection: LedgerProjection | undefined;
  private starting: Promise<void> | undefined;
  private restarting: Promise<void> | undefined;
  private readonly batchListeners: Array<
    (result: BatchResult & { topic: string; partition: number }) => void
  > = [];
  private readonly deadLetterListeners: Array<(info: DeadLetterInfo) => void> = [];

  constructor(@Inject(LEDGER_CONFIG) private readonly config: LedgerConfig) {}

  /** Postgres, Kafka, and the projection caught up to within READY_MAX_LAG. */
  readiness(): DependencyCheck[] {
    return [
      postgresProbe(this.config.DATABASE_URL),
      kafkaProbe(this.config.KAFKA_BROKERS, 'ledger'),
      projectionLagCheck(this, this.config.READY_MAX_LAG),
    ];
  }

  /** Starts in the background: the app serves (live, not ready) while the database or Kafka is down. */
  async start(stop: AbortSignal): Promise<void> {
    this.starting = this.startUntilStopped(stop);
    this.tasks.run('projection start-up', () => this.starting!);
    this.tasks.run('writer-lock watch', () =>
      every(async () => this.restartIfLockLost(stop), {
        stop,
        intervalMs: LOCK_WATCH_MS,
        onError: (err) => this.logger.warn(`writer-lock watch: ${(err as Error).message}`),
      }),
    );
  }

  /**
   * A database failover or a terminated session takes the projection's writer lock with it: the projection then
   * stops applying, and this starts it again (re-taking the lock and re-seeking to the stored offsets). Until it
   * has, readiness fails (no projection).
   */
  private restartIfLockLost(stop: AbortSignal): void {
    const projection = this.projection;
    if (stop.aborted || this.restarting || !projection?.writerLockLost()) return;
    this.logger.warn('the projection-writer lock went with its database session: restarting the projection');
    this.projection = undefined;
    this.restarting = (async () => {
      await projection.stop().catch(() => undefined);
      await this.startUntilStopped(stop);
    })().finally(() => (this.restarting = undefined));
  }

  /** Resolves once the schema is migrated and the consumer has joined its group. */
  whenStarted(): Promise<void> {
    return this.starting ?? Promise.resolve();
  }

  /** The migrated database; throws LEDGER_NOT_READY (503) while start-up is still in progress. */
  database(): LedgerDatabase {
    if (!this.source || !this.migrated)
      throw new LedgerApiError('LEDGER_NOT_READY', 'the ledger database is not ready yet');
    return this.source;
  }

  /** The running projection, if started. */
  currentProjection(): LedgerProjection | undefined {
    return this.projection;
  }

  /** Observe every committed batch (metrics). */
  onBatch(listener: (result: BatchResult & { topic: string; partition: number }) => void): void {
    this.batchListeners.push(listener);
  }

  /** Observe every dead-lettered message (metrics). */
  onDeadLetter(listener: (info: DeadLetterInfo) => void): void {
    this.deadLetterListeners.push(listener);
  }

  private async startUntilStopped(stop: AbortSignal): Promise<void> {
    await retryUntilStarted(() => this.startOnce(stop), {
      stop,
      delay: RETRY_DELAY_MS,
      onFailure: async (err, attempt) => {
        this.logger.warn(`start-up attempt ${attempt} failed, retrying: ${(err as Error).message}`);
        await this.projection?.stop().catch(() => undefined);
        this.projection = undefined;
      },
    });
  }

  private async startOnce(stop: AbortSignal): Promise<void> {
    const config = this.config;
    this.source ??= openLedgerDatabase(config.DATABASE_URL, {
      timeouts: databaseTimeoutsOf(config),
      onIdleError: (err) => this.logger.warn(`an idle database connection failed: ${err.message}`),
    });
    const ran = await migrateLedger(this.source);
    this.migrated = true;
    if (ran.length > 0) this.logger.log(`ran migrations: ${ran.join(', ')}`);
    const client: KafkaClientOptions = {
      brokers: config.KAFKA_BROKERS,
      clientId: 'ledger',
      log: (level, message, extra) => {
        if (level === 'error' || level === 'warn') this.logger.warn({ ...extra }, `kafka: ${message}`);
      },
    };
    const topics = ledgerTopicsOf(config);
    if (config.ENSURE_TOPICS)
      await ensureTopics(client, [
        {
          name: topics.balanceProofs,
          partitions: config.TOPIC_PARTITIONS,
          config: TOPICS.balanceProofs.config,
        },
        { name: topics.channels, partitions: config.TOPIC_PARTITIONS, config: TOPICS.channels.config },
        { name: topics.deadLetter, partitions: 1, config: TOPICS.deadLetter.config },
      ]);
    if (stop.aborted) return;
    this.projection = await startLedgerProjection({
      database: this.source,
      client,
      groupId: config.KAFKA_GROUP_ID,
      topics,
      maxBatchSize: config.MAX_BATCH_SIZE,
      partitionsConcurrently: config.PARTITIONS_CONCURRENTLY,
      onBatch: (result) => this.batchListeners.forEach((listener) => listener(result)),
      onDeadLetter: (info) => this.deadLetterListeners.forEach((listener) => listener(info)),
    });
  }

  /** Called once the stop signal aborted: ends the projection, waits for start-up and restarts, closes. */
  async stop(): Promise<void> {
    await this.projection?.stop();
    await this.tasks.settled();
    await this.restarting;
    await this.projection?.stop();
    await this.source?.close();
  }
}
