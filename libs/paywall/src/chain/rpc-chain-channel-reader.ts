import { channelManagerAt, microTokenAt } from '@microraiden/contracts';
import { x402Requirements, type Address, type Hex32, type X402TokenInfo } from '@microraiden/protocol';
import { FetchRequest, JsonRpcProvider, Network, ZeroAddress, type Interface } from 'ethers';
import type { ChainChannelReader } from '../core/chain-channel-reads';
import type { ChainChannelState, DepositChange } from '../core/pending-deposit-decision';

// Any valid challenge: tokenInfo renders one only to check the token info against the wire's rules.
const PROBE_CHALLENGE = {
  gatewayPath: '/',
  receiver: '0x0000000000000000000000000000000000000001',
  channelManager: '0x0000000000000000000000000000000000000002',
  price: 1n,
  chainId: 1n,
} as const;

/**
 * Reads a channel over JSON-RPC: the block number, then `getChannel` at that block and the channel's
 * `ChannelCreated`/`ChannelToppedUp` logs up to it, so the three facts describe one chain position.
 */
export class RpcChainChannelReader implements ChainChannelReader {
  private readonly provider: JsonRpcProvider;
  private readonly abi: Interface;
  private readonly topics: readonly string[];

  constructor(
    rpcUrl: string,
    private readonly deployment: { readonly chainId: number; readonly channelManager: Address },
    timeoutMs: number,
  ) {
    const request = new FetchRequest(rpcUrl);
    request.timeout = timeoutMs;
    const network = Network.from(deployment.chainId);
    this.provider = new JsonRpcProvider(request, network, { staticNetwork: network, cacheTimeout: -1 });
    this.abi = channelManagerAt(deployment.channelManager, null).interface;
    this.topics = [
      this.abi.getEvent('ChannelCreated')!.topicHash,
      this.abi.getEvent('ChannelToppedUp')!.topicHash,
    ];
  }

  async read(channelId: Hex32, window: number): Promise<ChainChannelState> {
    const head = await this.provider.getBlockNumber();
    const [raw, logs] = await Promise.all([
      this.provider.call({
        to: this.deployment.channelManager,
        data: this.abi.encodeFunctionData('getChannel', [channelId]),
        blockTag: head,
      }),
      this.provider.getLogs({
        address: this.deployment.channelManager,
        topics: [[...this.topics], channelId],
        fromBlock: Math.max(0, head - window),
        toBlock: head,
      }),
    ]);
    const [sender, receiver, deposit, , , settleAt] = this.abi.decodeFunctionResult('getChannel', raw);
    const recentChanges: DepositChange[] = logs
      .map((log) => {
        const parsed = this.abi.parseLog(log)!;
        const kind = parsed.name === 'ChannelCreated' ? ('created' as const) : ('topped-up' as const);
        return { kind, block: log.blockNumber, index: log.index, deposit: parsed.args.deposit as bigint };
      })
      .sort((a, b) => a.block - b.block || a.index - b.index)
      .map(({ kind, block, deposit: total }) => ({ kind, block, deposit: total }));
    return {
      head,
      channel:
        sender === ZeroAddress
          ? undefined
          : {
              sender: sender as Address,
              receiver: receiver as Address,
              deposit: deposit as bigint,
              closing: (settleAt as bigint) !== 0n,
            },
      recentChanges,
    };
  }

  /**
   * The token's `symbol()` and `decimals()`, for people reading x402's requirement; undefined when the token does not
   * answer or answers something x402's `extra` cannot carry (a symbol of spaces or control characters).
   */
  async tokenInfo(token: Address): Promise<X402TokenInfo | undefined> {
    const contract = microTokenAt(token, this.provider);
    try {
      const [symbol, decimals] = await Promise.all([contract.symbol(), contract.decimals()]);
      const info = { symbol: String(symbol), decimals: Number(decimals) };
      const challenge = { ...PROBE_CHALLENGE, token };
      x402Requirements(challenge, { token: info }); // throws INVALID_ARGUMENT for what the wire refuses
      return info;
    } catch {
      return undefined;
    }
  }

  /** Closes the provider's connections. */
  close(): void {
    this.provider.destroy();
  }
}
