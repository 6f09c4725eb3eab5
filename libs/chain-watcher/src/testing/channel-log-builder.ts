import { microTransferChannelsAbi } from '@microraiden/contracts';
import { Interface, keccak256, toUtf8Bytes } from 'ethers';
import type { RawLog } from '../block-ref';

const managerInterface = new Interface(microTransferChannelsAbi);

/** Fixed parties for test logs. */
export const TEST_MANAGER = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
export const TEST_SENDER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
export const TEST_RECEIVER = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

/** A 32-byte value derived from `label`, for ids and hashes in tests. */
export const hashOf = (label: string): `0x${string}` => keccak256(toUtf8Bytes(label)) as `0x${string}`;

/** A channel manager log of `event` with `args`, encoded with the real ABI, at the given position. */
export function aChannelLog(
  event:
    | 'ChannelCreated'
    | 'ChannelToppedUp'
    | 'ChannelCloseRequested'
    | 'ChannelSettled'
    | 'ChannelWithdrawn'
    | 'ChannelSignerSet',
  args: readonly unknown[],
  position: {
    blockNumber: number;
    blockHash: string;
    index?: number;
    transactionHash?: string;
    address?: string;
  },
): RawLog {
  const fragment = managerInterface.getEvent(event)!;
  const encoded = managerInterface.encodeEventLog(fragment, [...args]);
  return {
    address: position.address ?? TEST_MANAGER,
    topics: encoded.topics,
    data: encoded.data,
    blockNumber: position.blockNumber,
    blockHash: position.blockHash,
    transactionHash: position.transactionHash ?? hashOf(`tx:${position.blockHash}:${position.index ?? 0}`),
    index: position.index ?? 0,
  };
}
