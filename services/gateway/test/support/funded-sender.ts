import { Client, memoryStateStore } from '@microraiden/client';
import { microTokenAt } from '@microraiden/contracts';
import type { KafkaClientOptions } from '@microraiden/kafka';
import type { Address, Hex32 } from '@microraiden/protocol';
import { Wallet } from 'ethers';
import type { Pool } from 'pg';
import type { ChainFixture } from './chain-fixture';
import { startChannelRelay, type ChannelRelay } from './channel-relay';
import { waitForChannel } from './gateway-fixture';

/** A sender with tokens, a client SDK over an open channel, and the relay that told the gateway of it. */
export interface FundedSender {
  readonly client: Client;
  readonly relay: ChannelRelay;
  readonly channelId: Hex32;
}

/**
 * Mints `mint` to the sender, relays ChannelCreated logs from now on (the chain-watcher's stand-in), opens a channel
 * of `deposit` to `receiver` with the client SDK, and waits until the gateway's table (`pool`) has it.
 */
export async function fundedSender(options: {
  chain: ChainFixture;
  kafka: KafkaClientOptions;
  channelsTopic: string;
  pool: Pool;
  rpcUrl: string;
  senderKey: string;
  receiver: Address;
  mint: bigint;
  deposit: bigint;
}): Promise<FundedSender> {
  const { chain } = options;
  const minter = new Wallet(options.senderKey, chain.provider);
  await (await microTokenAt(chain.deployment.token, minter).mint(minter.address, options.mint)).wait();
  const relay = startChannelRelay({
    provider: chain.provider,
    deployment: chain.deployment,
    client: options.kafka,
    topic: options.channelsTopic,
    fromBlock: await chain.provider.getBlockNumber(),
  });
  const client = new Client(
    { privateKey: options.senderKey },
    {
      rpcUrl: options.rpcUrl,
      deployment: chain.deployment,
      stateStore: memoryStateStore(),
      pollingIntervalMs: 50,
    },
  );
  const channelId = (await client.getSuitableChannel(options.receiver, options.deposit)).id;
  await waitForChannel(options.pool, channelId);
  return { client, relay, channelId };
}
