import { AbiCoder, keccak256 } from 'ethers';

/**
 * The id the channel manager gives the channel `sender` opens to `receiver` with `nonce` (the sender's
 * `channelNonce` before the create): keccak256(abi.encode(chainId, manager, sender, receiver, nonce)).
 */
export function computeChannelId(params: {
  chainId: bigint;
  channelManager: string;
  sender: string;
  receiver: string;
  nonce: bigint;
}): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ['uint256', 'address', 'address', 'address', 'uint256'],
      [params.chainId, params.channelManager, params.sender, params.receiver, params.nonce],
    ),
  );
}
