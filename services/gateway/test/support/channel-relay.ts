import { decodeChannelLog, type ChannelParties } from '@microraiden/chain-watcher';
import { microTransferChannelsAbi, type Deployment } from '@microraiden/contracts';
import type { Hex } from '@microraiden/events';
import type { KafkaClientOptions } from '@microraiden/kafka';
import type { Address, Hex32 } from '@microraiden/protocol';
import { Interface, type JsonRpcProvider } from 'ethers';
import { publishChannelEvents } from './gateway-fixture';

/** A stand-in for the chain-watcher: relays ChannelCreated and ChannelSignerSet logs to the channels topic. */
export interface ChannelRelay {
  /** Channel ids relayed so far (channel.created). */
  readonly relayed: Hex32[];
  /** Balance signers relayed so far (channel.signer-set), by channel id (lowercase). */
  readonly signers: Map<string, Address>;
  stop(): Promise<void>;
}

const channels = new Interface(microTransferChannelsAbi);
const TOPICS = [
  channels.getEvent('ChannelCreated')!.topicHash,
  channels.getEvent('ChannelSignerSet')!.topicHash,
];

/**
 * Polls the channel manager for ChannelCreated and ChannelSignerSet logs from `fromBlock`; for each new
 * transaction with any, it mines `confirmations` blocks (anvil_mine), as the real watcher waits for them, then
 * publishes its `channel.created` and `channel.signer-set`, decoded as the watcher decodes them
 * (decodeChannelLog). A browser that opened the channel meanwhile gets CHANNEL_NOT_FOUND and retries, as real
 * clients do.
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
  const signers = new Map<string, Address>();
  const parties = new Map<string, ChannelParties>();
  const seen = new Set<string>();
  let stopped = false;
  const confirmations = options.confirmations ?? 2;
  const context = {
    chainId: options.deployment.chainId,
    channelManager: options.deployment.channelManager,
    source: 'chain-watcher',
  };

  async function tick(): Promise<void> {
    const logs = await options.provider.getLogs({
      address: options.deployment.channelManager,
      topics: [TOPICS],
      fromBlock: options.fromBlock,
      toBlock: 'latest',
    });
    const fresh = logs
      .filter((log) => !seen.has(`${log.transactionHash}:${log.index}`))
      .sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    if (fresh.length === 0) return;
    await options.provider.send('anvil_mine', [`0x${confirmations.toString(16)}`]);
    for (const log of fresh) {
      seen.add(`${log.transactionHash}:${log.index}`);
      const block = await options.provider.getBlock(log.blockNumber);
      const event = decodeChannelLog(log, Number(block!.timestamp), context, (id: Hex) => parties.get(id));
      if (event === undefined) continue;
      await publishChannelEvents(options.client, options.topic, [event]);
      if (event.type === 'channel.created') {
        parties.set(event.data.channelId, { sender: event.data.sender, receiver: event.data.receiver });
        relayed.push(event.data.channelId as Hex32);
      }
      if (event.type === 'channel.signer-set')
        signers.set(event.data.channelId, event.data.signer as Address);
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
    signers,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
