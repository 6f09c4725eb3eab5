import { keccakOfWords } from './keccak-words';
import type { Hex } from './wire-fields';

/** What names one balance of one channel: the chain, the contract, the channel and the cumulative balance. */
export interface ChannelBalance {
  readonly chainId: number;
  readonly channelManager: Hex;
  readonly channelId: Hex;
  readonly balance: bigint;
}

/**
 * keccak256(abi.encode(tag, chainId, channelManager, channelId, balance)): the deterministic id of an off-chain fact
 * (named by `tag`) about one channel balance. Balances strictly increase per channel and channel ids are never
 * reused, so a re-sent fact keeps its id and consumers drop the duplicate.
 */
export function channelBalanceId(tag: Hex, data: ChannelBalance): Hex {
  return keccakOfWords([tag, data.chainId, data.channelManager, data.channelId, data.balance]);
}
