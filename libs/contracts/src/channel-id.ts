import { channelIdOf } from '@microraiden/protocol';

/**
 * The id the channel manager gives the channel `sender` opens to `receiver` with `nonce` (the sender's
 * `channelNonce` before the create): keccak256(abi.encode(chainId, manager, sender, receiver, nonce)).
 * The formula lives in @microraiden/protocol; this is the contracts-side name for it.
 */
export function computeChannelId(params: {
  chainId: bigint;
  channelManager: string;
  sender: string;
  receiver: string;
  nonce: bigint;
}): string {
  return channelIdOf(params);
}
