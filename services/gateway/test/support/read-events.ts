import { randomBytes } from 'node:crypto';
import { createEventConsumer, type KafkaClientOptions } from '@microraiden/kafka';
import type { MicroraidenEvent } from '@microraiden/events';

/**
 * Reads `topic` from the beginning with a throwaway consumer group until `done(events)` holds (or `timeoutMs`
 * passes, which rejects), and returns every decoded event read.
 */
export async function readEvents(
  client: KafkaClientOptions,
  topic: string,
  done: (events: readonly MicroraidenEvent[]) => boolean,
  timeoutMs = 30_000,
): Promise<MicroraidenEvent[]> {
  const events: MicroraidenEvent[] = [];
  const consumer = createEventConsumer({
    client,
    groupId: `read-events-${randomBytes(6).toString('hex')}`,
    topics: [topic],
    fromBeginning: true,
    maxWaitTimeMs: 100,
  });
  let resolveDone!: () => void;
  const finished = new Promise<void>((resolve) => (resolveDone = resolve));
  try {
    await consumer.run(async ({ event }) => {
      events.push(event);
      if (done(events)) resolveDone();
    });
    if (done(events)) resolveDone();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      finished,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(`read ${events.length} events of ${topic} in ${timeoutMs} ms, goal not reached`),
            ),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    return events;
  } finally {
    await consumer.stop();
  }
}
