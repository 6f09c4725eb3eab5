// Bench channels exist only in the paywall's table: they are announced as `channel.created` events, as the
// chain-watcher would, never opened on chain, so a run needs no chain and its setup costs nothing measured.
import { createChannelEvent } from '@microraiden/events';
import { createEventProducer, type KafkaClientOptions } from '@microraiden/kafka';
import type { Address, Hex32 } from '@microraiden/protocol';

/** The stand-in deployment every bench paywall is configured with (anvil's first two contract addresses). */
export const BENCH_DEPLOYMENT = {
  chainId: 31337,
  channelManager: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  token: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  challengePeriod: 3600,
  deployBlock: 1,
};

/** One bench channel: its id and its sender's key and address. */
export interface BenchChannel {
  readonly channelId: Hex32;
  readonly senderKey: string;
  readonly sender: Address;
}

/** Publishes a `channel.created` per channel (deposit 10^30: no bench run exhausts it) on `topic`. */
export async function announceChannels(
  kafka: KafkaClientOptions,
  topic: string,
  receiver: Address,
  channels: readonly BenchChannel[],
): Promise<void> {
  const producer = createEventProducer(kafka);
  try {
    await producer.publish(
      channels.map((c, i) =>
        createChannelEvent(
          'channel.created',
          {
            channelId: c.channelId,
            sender: c.sender,
            receiver,
            deposit: 10n ** 30n,
            chainId: BENCH_DEPLOYMENT.chainId,
            channelManager: BENCH_DEPLOYMENT.channelManager as Address,
            blockNumber: 100 + i,
            blockHash: `0x${'1'.repeat(63)}${(i % 10).toString()}` as Hex32,
            transactionHash: c.channelId,
            logIndex: 0,
          },
          { source: 'chain-watcher', occurredAt: new Date().toISOString() },
        ),
      ),
      { topic },
    );
  } finally {
    await producer.disconnect();
  }
}
