import { channelManagerAt, type ChannelManagerContract } from '@microraiden/contracts';
import { ZeroAddress, type JsonRpcProvider } from 'ethers';
import type { BlockHeader, RawLog } from './block-ref';
import type { ClosingChannel } from './dispute-decision';
import type { ChannelStateReader } from './dispute-ports';
import type { ChainReader } from './follower-ports';

/** {@link ChainReader} and {@link ChannelStateReader} over an ethers JSON-RPC provider. */
export class EthersChain implements ChainReader, ChannelStateReader {
  private readonly manager: ChannelManagerContract;

  constructor(
    private readonly provider: JsonRpcProvider,
    channelManager: string,
  ) {
    this.manager = channelManagerAt(channelManager, provider);
  }

  headNumber(): Promise<number> {
    return this.provider.getBlockNumber();
  }

  async header(blockNumber: number): Promise<BlockHeader | undefined> {
    const block = await this.provider.getBlock(blockNumber);
    if (!block?.hash) return undefined;
    return {
      number: block.number,
      hash: block.hash,
      parentHash: block.parentHash,
      timestamp: block.timestamp,
    };
  }

  async logs(filter: Parameters<ChainReader['logs']>[0]): Promise<RawLog[]> {
    const logs = await this.provider.getLogs({
      address: filter.address,
      fromBlock: filter.fromBlock,
      toBlock: filter.toBlock,
      topics: [[...filter.topics]],
    });
    return logs.map((log) => ({
      address: log.address,
      topics: log.topics,
      data: log.data,
      blockNumber: log.blockNumber,
      blockHash: log.blockHash,
      transactionHash: log.transactionHash,
      index: log.index,
      removed: log.removed,
    }));
  }

  async channel(channelId: string): Promise<ClosingChannel | undefined> {
    const [sender, , deposit, withdrawn, closingBalance, settleAt] = await this.manager.getChannel(channelId);
    if (sender === ZeroAddress) return undefined;
    return { deposit, withdrawn, closingBalance, settleAt };
  }

  async now(): Promise<bigint> {
    const block = await this.provider.getBlock('latest');
    if (!block) throw new Error('the node has no latest block');
    return BigInt(block.timestamp);
  }
}
