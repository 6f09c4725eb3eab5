import { AbiCoder, zeroPadValue } from 'ethers';

/** Token-callback action opening a channel (ERC-1363 `transferAndCall` / ERC-223 `transfer` data). */
export const TRANSFER_ACTION_CREATE = 1;

/** Token-callback action topping up a channel. */
export const TRANSFER_ACTION_TOP_UP = 2;

/** Data for `token.transferAndCall(manager, deposit, data)` that opens a channel to `receiver`. */
export function encodeCreateChannelData(receiver: string): string {
  return AbiCoder.defaultAbiCoder().encode(
    ['uint8', 'bytes32'],
    [TRANSFER_ACTION_CREATE, zeroPadValue(receiver, 32)],
  );
}

/** Data for `token.transferAndCall(manager, amount, data)` that tops up `channelId`. */
export function encodeTopUpData(channelId: string): string {
  return AbiCoder.defaultAbiCoder().encode(['uint8', 'bytes32'], [TRANSFER_ACTION_TOP_UP, channelId]);
}
