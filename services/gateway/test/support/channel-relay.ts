import { microTransferChannelsAbi, type Deployment } from '@microraiden/contracts';
import { createChannelEvent } from '@microraiden/events';
import type { KafkaClientOptions } from '@microraiden/kafka';
import type { Address, Hex32 } from '@microraiden/protocol';
import { Interface, type JsonRpcProvider } from 'ethers';
import { publishChannelEvents } from './gateway-fixture';

/** A stand-in for the chain-watcher: relays ChannelCreated logs to the channels topic. */
export interface ChannelRelay {
  /** Channel ids relayed so far. */
  readonly relayed: Hex32[];
  stop(): Promise<void>;
}

const channels = new Interface(microTransferChannelsAbi);
const CREATED = channels.getEvent('ChannelCreated')!;

/**
 * Polls the channel manager for ChannelCreated logs from `fromBlock`; for each new one it mines
 * `confirmations` blocks (anvil_mine), as the real watcher waits for them, then publishes `channel.created`.
 * A browser that opened the channel meanwhile gets CHANNEL_NOT_FOUND and retries, as real clients do.
 */
export function startChannelRelay(options: {
  provider: JsonRpcProvider;
  deployment: Deployment;
  client: KafkaClientOptions;
  topic: string;
  fromBlock: number;
  confirmations?: number;
}): ChannelRelay {
  const relayed: Hex32[] = [];
  const seen = new Set<string>();
  let stopped = false;
  const confirmations = options.confirmations ?? 2;

  async function tick(): Promise<void> {
    const logs = await options.provider.getLogs({
      address: options.deployment.channelManager,
      topics: [CREATED.topicHash],
      fromBlock: options.fromBlock,
      toBlock: 'latest',
    });
    for (const log of logs) {
      const key = `${log.transactionHash}:${log.index}`;
      if (seen.has(key)) continue;
      seen.add(key);
      await options.provider.send('anvil_mine', [`0x${confirmations.toString(16)}`]);
      const parsed = channels.parseLog(log)!;
      const block = await options.provider.getBlock(log.blockNumber);
      const event = createChannelEvent(
        'channel.created',
        {
          channelId: parsed.args.channelId as Hex32,
          sender: parsed.args.sender as Address,
          receiver: parsed.args.receiver as Address,
          deposit: parsed.args.deposit as bigint,
          chainId: options.deployment.chainId,
          channelManager: options.deployment.channelManager as Address,
          blockNumber: log.blockNumber,
          blockHash: log.blockHash as Hex32,
          transactionHash: log.transactionHash as Hex32,
          logIndex: log.index,
        },
        { source: 'chain-watcher', occurredAt: new Date(Number(block!.timestamp) * 1000).toISOString() },
      );
      await publishChannelEvents(options.client, options.topic, [event]);
      relayed.push(event.data.channelId);
    }
  }

  const loop = (async () => {
    while (!stopped) {
      await tick();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();

  return {
    relayed,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
