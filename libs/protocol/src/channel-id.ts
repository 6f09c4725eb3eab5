import { keccak256 } from './keccak256';
import { addressToBytes } from './address';
import { bytesToHex, type Hex32 } from './hex';
import { invalidArgument } from './protocol-error';
import { CHAIN_ID_MAX, isUint256, writeUint256 } from './uint256';

/** The inputs of a channel id; `nonce` is the sender's channel nonce at creation (channelNonce(sender)). */
export interface ChannelIdInput {
  readonly chainId: bigint;
  readonly channelManager: string;
  readonly sender: string;
  readonly receiver: string;
  readonly nonce: bigint;
}

function addressWord(out: Uint8Array, offset: number, field: string, value: string): void {
  const bytes = addressToBytes(value);
  if (bytes === undefined) invalidArgument(field, 'must be 0x followed by 40 hex digits');
  out.set(bytes, offset + 12);
}

/**
 * keccak256(abi.encode(chainId, channelManager, sender, receiver, nonce)) — the same id the contract's
 * channelIdOf returns, so a client knows its channel id before the creating transaction is mined.
 */
export function channelIdOf(input: ChannelIdInput): Hex32 {
  if (typeof input.chainId !== 'bigint' || input.chainId < 1n || input.chainId > CHAIN_ID_MAX) {
    invalidArgument('chainId', 'must be a bigint in 1..2^53-1');
  }
  if (!isUint256(input.nonce)) invalidArgument('nonce', 'must be a bigint in 0..2^256-1');
  const buf = new Uint8Array(160);
  writeUint256(buf, 0, input.chainId);
  addressWord(buf, 32, 'channelManager', input.channelManager);
  addressWord(buf, 64, 'sender', input.sender);
  addressWord(buf, 96, 'receiver', input.receiver);
  writeUint256(buf, 128, input.nonce);
  return bytesToHex(keccak256(buf));
}
