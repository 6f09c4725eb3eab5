import type { Address, ChannelDomain } from '@microraiden/protocol';
import type { SenderChain } from './chain/sender-chain';
import type { ChannelStateStore } from './state/channel-state-store';
import type { SenderIdentity } from './state/sender-state-file';

/** Everything a client works with once its chain identity is known. */
export interface ClientSession {
  readonly identity: SenderIdentity;
  readonly token: Address;
  /** The EIP-712 domain balance proofs are signed under. */
  readonly domain: ChannelDomain;
  readonly store: ChannelStateStore;
  readonly chain: SenderChain;
  /** First block to scan for channel events (the channel manager's deployment block). */
  readonly fromBlock: number;
}
