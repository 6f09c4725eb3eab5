import { proofToKeep } from '@microraiden/chain-watcher';
import { TOPICS } from '@microraiden/events';
import { createEventConsumer, ensureTopics, type EventConsumer } from '@microraiden/kafka';
import type { StartupCheck } from './startup-check';
import { SOURCE, type WatcherParts } from './watcher-composition';

/** One start-up step, retried until it succeeds or the watcher stops (false then). */
export type RetryStep = (what: string, work: () => Promise<void>) => Promise<boolean>;

/**
 * Creates the topics, starts the outbox relay and the proof consumer, each retried until Kafka answers. Runs
 * beside leadership, never before it: nothing the receiver's defence does waits for Kafka. The watcher is not
 * ready until it has joined (it could not learn the proofs the gateways accept), as before it acted at all.
 * Resolves with the consumer once joined, undefined when stopped first.
 */
export async function joinKafka(
  parts: WatcherParts,
  startup: StartupCheck,
  retry: RetryStep,
): Promise<EventConsumer | undefined> {
  const { config } = parts;
  const topicsReady = await retry('Kafka topics', async () => {
    const topicConfig = { 'cleanup.policy': 'delete', 'retention.ms': '-1', 'retention.bytes': '-1' };
    await ensureTopics(parts.kafkaClient(SOURCE), [
      { name: config.CHANNELS_TOPIC, partitions: config.TOPIC_PARTITIONS, config: topicConfig },
      { name: config.BALANCE_PROOFS_TOPIC, partitions: config.TOPIC_PARTITIONS, config: topicConfig },
      // Proofs that fail verification are dead-lettered there; the consumer blocks if it is missing.
      { name: TOPICS.deadLetter.name, partitions: 1, config: topicConfig },
    ]);
  });
  // Once started the relay retries by itself (capped back-off) through later outages.
  if (!topicsReady || !(await retry('outbox relay', () => parts.relay.start()))) return undefined;
  let consumer: EventConsumer | undefined;
  const joined = await retry('balance-proof consumer', async () => {
    consumer = await startProofConsumer(parts);
  });
  if (!joined) return undefined;
  startup.succeeded();
  return consumer;
}

/** Keeps the receiver's accepted proofs (those of this deployment and receiver) from the balance-proofs topic. */
async function startProofConsumer(parts: WatcherParts): Promise<EventConsumer> {
  const { config, deployment, wallet, store, metrics } = parts;
  const scope = {
    chainId: deployment.chainId,
    channelManager: deployment.channelManager,
    receiver: wallet.address,
  };
  const consumer = createEventConsumer({
    client: parts.kafkaClient(`${SOURCE}-proofs`),
    groupId: config.KAFKA_GROUP_ID,
    topics: [config.BALANCE_PROOFS_TOPIC],
    fromBeginning: true,
    maxWaitTimeMs: 250,
  });
  try {
    await consumer.run(async ({ event }) => {
      if (event.type !== 'balance-proof.accepted') return;
      const proof = proofToKeep(event, scope);
      if (proof && (await store.keepProof(proof))) metrics.proofsKept.inc();
    });
  } catch (err) {
    await consumer.stop().catch(() => undefined);
    throw err;
  }
  return consumer;
}
