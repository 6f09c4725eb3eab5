import { TOPICS } from '@microraiden/events';
import {
  createEventConsumer,
  ensureTopics,
  type EventConsumer,
  type KafkaClientOptions,
  type OutboxRelay,
} from '@microraiden/kafka';
import { sleep } from '@microraiden/persistence';
import type { PaywallCheck } from '../core/readiness';
import type { ChannelProjector } from '../postgres/sharded-channel-projector';

/** The topics a paywall reads and writes, and the partitions it creates them with when they are missing. */
export interface PaywallTopics {
  /** `microraiden.channels.v1`: the chain-watcher's channel events, projected into `gateway_channels`. */
  readonly channels: string;
  /** `microraiden.balance-proofs.v1`: where the outbox relay publishes accepted proofs and close signatures. */
  readonly balanceProofs: string;
  /** Where a channel event the projector cannot apply goes. */
  readonly deadLetter: string;
  readonly partitions: number;
}

/** The catalogue's topic names; 12 partitions, like the services' TOPIC_PARTITIONS default. */
export const DEFAULT_PAYWALL_TOPICS: PaywallTopics = {
  channels: TOPICS.channels.name,
  balanceProofs: TOPICS.balanceProofs.name,
  deadLetter: TOPICS.deadLetter.name,
  partitions: 12,
};

/** Where the runtime's own lines go: warnings (a dependency is down) and errors (something was lost). */
export type PaywallRuntimeLog = (
  level: 'info' | 'warn' | 'error',
  message: string,
  extra?: Record<string, unknown>,
) => void;

/** What {@link ChannelFollowing} runs. */
export interface ChannelFollowingParts {
  readonly kafka: KafkaClientOptions;
  readonly topics: PaywallTopics;
  readonly groupId: string;
  readonly relay: OutboxRelay;
  readonly projector: ChannelProjector;
  readonly log: PaywallRuntimeLog;
}

/** The wait after `failures` failed joins in a row: 1 s doubling to 15 s. */
export function joinDelayMs(failures: number): number {
  return Math.min(15_000, 1_000 * 2 ** Math.max(0, failures - 1));
}

/**
 * Follows Kafka in the background: creates the topics, starts the outbox relay, and projects channel events into
 * `gateway_channels`, retrying (backing off to 15 s) until Kafka answers or the runtime stops. A process whose
 * Kafka is down still serves (from the rows it has) and reports not ready instead of crash-looping.
 */
export class ChannelFollowing {
  private consumer: EventConsumer | undefined;
  private relayStarted = false;
  private hasJoined = false;
  private joined!: () => void;
  /** Resolves once the channel-event consumer has joined its group. */
  readonly followed = new Promise<void>((resolve) => (this.joined = resolve));

  constructor(private readonly parts: ChannelFollowingParts) {}

  /** Runs until joined or stopped. */
  async run(stop: AbortSignal): Promise<void> {
    for (let failures = 1; !stop.aborted; failures++) {
      try {
        await this.join(stop);
        if (this.consumer !== undefined) {
          this.hasJoined = true;
          this.joined();
        }
        return;
      } catch (err) {
        await this.consumer?.stop().catch(() => undefined);
        this.consumer = undefined;
        const delayMs = joinDelayMs(failures);
        this.parts.log(
          'warn',
          `cannot follow Kafka yet (${(err as Error).message}); retrying in ${delayMs} ms`,
        );
        await sleep(delayMs, stop);
      }
    }
  }

  /**
   * Whether the channel-event consumer has joined its group, as a readiness check: until then the channel rows may
   * be stale. It fails with the public reason `unavailable (CHANNEL_CONSUMER_NOT_JOINED)`; why the join fails
   * (a broker address, a Kafka message) stays in the log.
   */
  check(): PaywallCheck {
    return {
      name: 'channel-events',
      check: () => {
        if (this.hasJoined) return Promise.resolve({ consumer: 'joined' });
        const err = Object.assign(new Error('the channel-event consumer has not joined its group'), {
          code: 'CHANNEL_CONSUMER_NOT_JOINED',
        });
        return Promise.reject(err);
      },
    };
  }

  /** Stops consuming and relaying. */
  async stop(): Promise<void> {
    const { log, relay } = this.parts;
    await this.consumer?.stop().catch((err: Error) => log('warn', `consumer stop: ${err.message}`));
    await relay.stop().catch((err: Error) => log('warn', `relay stop: ${err.message}`));
  }

  private async join(stop: AbortSignal): Promise<void> {
    const { kafka, relay, projector, topics, groupId } = this.parts;
    await ensureTopics(kafka, [
      { name: topics.channels, partitions: topics.partitions, config: TOPICS.channels.config },
      { name: topics.balanceProofs, partitions: topics.partitions, config: TOPICS.balanceProofs.config },
      { name: topics.deadLetter, partitions: 1, config: TOPICS.deadLetter.config },
    ]);
    if (!this.relayStarted) {
      await relay.start();
      this.relayStarted = true;
    }
    if (stop.aborted) return;
    this.consumer = createEventConsumer({
      client: kafka,
      groupId,
      topics: [topics.channels],
      fromBeginning: true,
      deadLetterTopic: topics.deadLetter,
      maxWaitTimeMs: 250,
    });
    await this.consumer.run(async ({ event }) => {
      await projector.apply(event);
    });
  }
}
