import { ContractFactory, type BaseContract, type Signer } from 'ethers';
import type { Deployment } from './deployment-file';
import { microTokenAbi, microTokenBytecode } from './generated/micro-token';
import { microTransferChannelsAbi, microTransferChannelsBytecode } from './generated/micro-transfer-channels';

/** What {@link deployContracts} deploys. */
export interface DeployContractsOptions {
  /** Seconds the receiver has to dispute an uncooperative close (>= 3600). */
  challengePeriod: number;
  /** Use this existing ERC-20 instead of deploying a MicroToken. */
  token?: string;
  /** MicroToken only: base units minted to the deployer. Default 0 (local chains have the faucet). */
  initialSupply?: bigint;
  /** MicroToken only: chain ids (besides 31337 and 1337) where its faucet `mint` is open. */
  faucetChainIds?: bigint[];
  /** Called as each deployment is sent and mined, for progress output. */
  onProgress?: (event: DeployProgress) => void;
}

/** One step of a deployment. */
export type DeployProgress =
  | { stage: 'sent'; contract: 'MicroToken' | 'MicroTransferChannels'; txHash: string }
  | {
      stage: 'mined';
      contract: 'MicroToken' | 'MicroTransferChannels';
      txHash: string;
      address: string;
      blockNumber: number;
      gasUsed: bigint;
    };

/**
 * Deploy a MicroToken (unless `options.token` is given) and a MicroTransferChannels for it with `signer`,
 * waiting for each deployment to be mined. Returns what a deployment file holds.
 */
export async function deployContracts(signer: Signer, options: DeployContractsOptions): Promise<Deployment> {
  const provider = signer.provider;
  if (!provider) throw new Error('deployContracts needs a signer connected to a provider');
  const { chainId } = await provider.getNetwork();

  const deploy = async (
    contract: 'MicroToken' | 'MicroTransferChannels',
    factory: ContractFactory,
    args: unknown[],
  ): Promise<{ address: string; blockNumber: number }> => {
    const deployed: BaseContract = await factory.deploy(...args);
    const tx = deployed.deploymentTransaction();
    if (!tx) throw new Error(`${contract} deployment has no transaction`);
    options.onProgress?.({ stage: 'sent', contract, txHash: tx.hash });
    const receipt = await tx.wait();
    if (!receipt?.contractAddress) throw new Error(`${contract} deployment ${tx.hash} failed`);
    options.onProgress?.({
      stage: 'mined',
      contract,
      txHash: tx.hash,
      address: receipt.contractAddress,
      blockNumber: receipt.blockNumber,
      gasUsed: receipt.gasUsed,
    });
    return { address: receipt.contractAddress, blockNumber: receipt.blockNumber };
  };

  const token =
    options.token ??
    (
      await deploy('MicroToken', new ContractFactory(microTokenAbi, microTokenBytecode, signer), [
        options.initialSupply ?? 0n,
        options.faucetChainIds ?? [],
      ])
    ).address;
  const manager = await deploy(
    'MicroTransferChannels',
    new ContractFactory(microTransferChannelsAbi, microTransferChannelsBytecode, signer),
    [token, options.challengePeriod],
  );

  return {
    chainId: Number(chainId),
    channelManager: manager.address,
    token,
    challengePeriod: options.challengePeriod,
    deployBlock: manager.blockNumber,
  };
}
