import { TOPICS } from '@microraiden/events';
import { createEventConsumer, ensureTopics, type EventConsumer } from '@microraiden/kafka';
import { retryUntilStarted } from '@microraiden/service-kit';
import { Logger } from '@nestjs/common';
import type { GatewayParts } from './gateway-composition';

const KAFKA_BACKOFF = { initialMs: 1_000, maxMs: 15_000 };

/**
 * Follows Kafka in the background: creates the topics, starts the outbox relay, and projects channel events into
 * the gateway's table, retrying (backing off to 15 s) until Kafka answers or the replica stops. A replica whose
 * Kafka is down still serves and reports not ready instead of crash-looping.
 */
export class ChannelFollowing {
  private readonly logger = new Logger('GatewayRuntime');
  private consumer: EventConsumer | undefined;
  private relayStarted = false;
  private joined!: () => void;
  /** Resolves once the channel-event consumer has joined its group. */
  readonly followed = new Promise<void>((resolve) => (this.joined = resolve));

  constructor(private readonly parts: GatewayParts) {}

  /** Runs until joined or stopped. */
  async run(stop: AbortSignal): Promise<void> {
    const joined = await retryUntilStarted(() => this.join(stop), {
      stop,
      delay: KAFKA_BACKOFF,
      onFailure: async (err, _failures, delayMs) => {
        await this.consumer?.stop().catch(() => undefined);
        this.consumer = undefined;
        this.logger.warn(`cannot follow Kafka yet (${(err as Error).message}); retrying in ${delayMs} ms`);
      },
    });
    if (joined && this.consumer !== undefined) this.joined();
  }

  /** Stops consuming and relaying. */
  async stop(): Promise<void> {
    await this.consumer?.stop().catch((err: Error) => this.logger.warn(`consumer stop: ${err.message}`));
    await this.parts.relay.stop().catch((err: Error) => this.logger.warn(`relay stop: ${err.message}`));
  }

  private async join(stop: AbortSignal): Promise<void> {
    const { config, kafka, relay, projector } = this.parts;
    await ensureTopics(kafka, [
      { name: config.CHANNELS_TOPIC, partitions: config.TOPIC_PARTITIONS, config: TOPICS.channels.config },
      {
        name: config.BALANCE_PROOFS_TOPIC,
        partitions: config.TOPIC_PARTITIONS,
        config: TOPICS.balanceProofs.config,
      },
      { name: config.DEAD_LETTER_TOPIC, partitions: 1, config: TOPICS.deadLetter.config },
    ]);
    if (!this.relayStarted) {
      await relay.start();
      this.relayStarted = true;
    }
    if (stop.aborted) return;
    this.consumer = createEventConsumer({
      client: kafka,
      groupId: config.KAFKA_GROUP_ID,
      topics: [config.CHANNELS_TOPIC],
      fromBeginning: true,
      deadLetterTopic: config.DEAD_LETTER_TOPIC,
      maxWaitTimeMs: 250,
    });
    await this.consumer.run(async ({ event }) => {
      await projector.apply(event);
    });
  }
}
