import { migrateWatcherSchema } from '@microraiden/chain-watcher';
import { rpcProbe } from '@microraiden/chain';
import { kafkaProbe, type EventConsumer } from '@microraiden/kafka';
import { postgresProbe, SessionLock } from '@microraiden/persistence';
import {
  BackgroundTasks,
  NotReadyError,
  retryUntilStarted,
  type DependencyCheck,
  type ServiceRuntime,
} from '@microraiden/service-kit';
import type { Registry } from 'prom-client';
import { actForReceiver } from './acting-loops';
import type { ChainWatcherConfig } from './chain-watcher-config';
import { joinKafka } from './kafka-joining';
import { leadWhileLocked, type Leadership } from './leadership';
import type { ReceiverFundsCheck } from './receiver-funds-check';
import type { StartupCheck } from './startup-check';
import { composeWatcher, SOURCE, type WatcherParts } from './watcher-composition';

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
export class ChainWatcherRuntime implements ServiceRuntime {
  private readonly tasks = new BackgroundTasks((what, err) =>
    this.parts.log.error(`${what} ended`, { error: (err as Error).message }),
  );
  private consumer: EventConsumer | undefined;
  private lock: SessionLock | undefined;

  private constructor(
    private readonly parts: WatcherParts,
    private readonly startup: StartupCheck,
  ) {}

  /** Reads the deployment and the key and wires the watcher: a bad file or key fails the app at once. */
  static async create(
    config: ChainWatcherConfig,
    registry: Registry,
    funds: ReceiverFundsCheck,
    startup: StartupCheck,
  ): Promise<ChainWatcherRuntime> {
    return new ChainWatcherRuntime(await composeWatcher(config, registry, funds), startup);
  }

  /** Postgres, Kafka, the RPC node, the receiver's gas money, and how far the start-up got. */
  readiness(): DependencyCheck[] {
    const { config, funds } = this.parts;
    return [
      postgresProbe(config.DATABASE_URL),
      kafkaProbe(config.KAFKA_BROKERS, 'chain-watcher'),
      rpcProbe(config.RPC_URL),
      funds,
      this.startup,
    ];
  }

  async start(stop: AbortSignal): Promise<void> {
    this.tasks.run('start-up', () => this.startInBackground(stop));
  }

  async stop(): Promise<void> {
    await this.tasks.settled();
    await this.consumer?.stop().catch(() => undefined);
    await this.parts.relay.stop().catch(() => undefined);
    await this.parts.pool.end().catch(() => undefined);
    await this.lock?.release();
    this.parts.provider.destroy();
  }

  private async startInBackground(stop: AbortSignal): Promise<void> {
    const { provider, deployment, pool } = this.parts;
    const started = await this.retry(stop, 'start-up', async () => {
      const chainId = Number((await provider.send('eth_chainId', [])) as string);
      if (chainId !== deployment.chainId)
        throw new NotReadyError(
          `RPC_URL serves chain ${chainId}, the deployment is for chain ${deployment.chainId}`,
        );
      await migrateWatcherSchema(pool);
    });
    if (!started) return;
    this.tasks.run('Kafka', async () => {
      this.consumer = await joinKafka(this.parts, this.startup, (what, work) => this.retry(stop, what, work));
    });
    const { chainId, channelManager } = deployment;
    const name = [SOURCE, chainId, channelManager, this.parts.wallet.address].join(':').toLowerCase();
    this.lock = new SessionLock(this.parts.config.DATABASE_URL, name);
    await leadWhileLocked(this.lock, stop, this.leadership(name));
  }

  /** Run `work` until it succeeds or the app stops; readiness reports the last failure meanwhile. */
  private retry(stop: AbortSignal, what: string, work: () => Promise<void>): Promise<boolean> {
    return retryUntilStarted(work, {
      stop,
      delay: Math.max(this.parts.config.POLL_INTERVAL_MS, 1_000),
      onFailure: (err) => {
        this.parts.log.error(`${what} failed, retrying`, { error: (err as Error).message });
        this.startup.failed(what, err);
      },
    });
  }

  private leadership(lock: string): Leadership {
    const { metrics, log, config, deployment, wallet, chainLag } = this.parts;
    let standbyLogged = false;
    return {
      pollMs: config.POLL_INTERVAL_MS,
      onStandby: (reason) => {
        if (!reason.held)
          log.warn('cannot take the receiver lock, retrying', { error: reason.error.message });
        else if (!standbyLogged) log.info('standby: another chain-watcher acts for this receiver', { lock });
        standbyLogged ||= reason.held;
        metrics.leader.set(0);
        this.startup.acting('standby');
      },
      onLeading: () => {
        standbyLogged = false;
        metrics.leader.set(1);
        this.startup.acting('leading');
        log.info('watching', {
          channelManager: deployment.channelManager,
          receiver: wallet.address,
          confirmations: config.CONFIRMATIONS,
        });
      },
      onStepDown: (lost) => {
        metrics.leader.set(0);
        chainLag.follow(undefined);
        if (lost) log.error('lost the receiver lock (database session gone): stopped acting');
      },
      act: (term) => actForReceiver(this.parts, term),
    };
  }
}
