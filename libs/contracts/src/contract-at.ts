import { Contract, type ContractRunner } from 'ethers';
import { microTokenAbi } from './generated/micro-token';
import { microTransferChannelsAbi } from './generated/micro-transfer-channels';
import type { TypedContract } from './typed-contract';

/** The channel manager (`MicroTransferChannels`) as a typed ethers contract. */
export type ChannelManagerContract = TypedContract<typeof microTransferChannelsAbi>;

/** The development token (`MicroToken`: ERC-20 + permit + ERC-1363 + ERC-223 + faucet) as a typed ethers contract. */
export type MicroTokenContract = TypedContract<typeof microTokenAbi>;

/** The channel manager deployed at `address`, bound to `runner` (a signer to send, a provider to read). */
export function channelManagerAt(address: string, runner: ContractRunner | null): ChannelManagerContract {
  return new Contract(address, microTransferChannelsAbi, runner) as unknown as ChannelManagerContract;
}

/** The MicroToken deployed at `address`, bound to `runner`. */
export function microTokenAt(address: string, runner: ContractRunner | null): MicroTokenContract {
  return new Contract(address, microTokenAbi, runner) as unknown as MicroTokenContract;
}
