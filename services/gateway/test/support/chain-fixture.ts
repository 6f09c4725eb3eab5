import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  channelManagerAt,
  deployContracts,
  microTokenAt,
  writeDeploymentFile,
  type Deployment,
} from '@microraiden/contracts';
import { createChannelEvent, type ChannelLogEvent } from '@microraiden/events';
import { channelDomain, type Address, type ChannelDomain, type Hex32 } from '@microraiden/protocol';
import { ANVIL_MNEMONIC } from '@microraiden/testing';
import { HDNodeWallet, JsonRpcProvider, NonceManager, Wallet, type Log } from 'ethers';

/** anvil account `index` (0 deploys, 1 is the gateway's receiver, 2.. are senders). */
export function anvilKey(index: number): string {
  return HDNodeWallet.fromPhrase(ANVIL_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).privateKey;
}

/** Contracts deployed on the test anvil, the deployment file for the gateway, and helpers around them. */
export interface ChainFixture {
  readonly provider: JsonRpcProvider;
  readonly deployment: Deployment;
  readonly deploymentFile: string;
  readonly domain: ChannelDomain;
  /** Opens a real channel from anvil account `senderIndex` and returns its `channel.created` event. */
  openChannel(senderIndex: number, receiver: Address, deposit: bigint): Promise<ChannelLogEvent>;
  /** Tops up `channelId` from anvil account `senderIndex` (its sender) by `amount`; resolves once mined. */
  topUp(senderIndex: number, channelId: Hex32, amount: bigint): Promise<void>;
  /** Mines `blocks` empty blocks. */
  mine(blocks: number): Promise<void>;
  close(): void;
}

/** Deploys fresh contracts (so every signature uses the real domain) and writes the deployment file. */
export async function deployChain(rpcUrl: string): Promise<ChainFixture> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1 });
  const deployer = new NonceManager(new Wallet(anvilKey(0), provider));
  const deployment = await deployContracts(deployer, { challengePeriod: 3600 });
  const dir = mkdtempSync(path.join(tmpdir(), 'gateway-deployment-'));
  const deploymentFile = path.join(dir, 'deployment.json');
  await writeDeploymentFile(deploymentFile, deployment);
  const domain = channelDomain(BigInt(deployment.chainId), deployment.channelManager);
  const wallets = new Map<number, NonceManager>();
  const walletOf = (index: number) => {
    let wallet = wallets.get(index);
    if (!wallet) {
      wallet = new NonceManager(new Wallet(anvilKey(index), provider));
      wallets.set(index, wallet);
    }
    return wallet;
  };

  return {
    provider,
    deployment,
    deploymentFile,
    domain,
    async openChannel(senderIndex, receiver, deposit) {
      const sender = walletOf(senderIndex);
      const token = microTokenAt(deployment.token, sender);
      const manager = channelManagerAt(deployment.channelManager, sender);
      await (await token.mint(await sender.getAddress(), deposit)).wait();
      await (await token.approve(deployment.channelManager, deposit)).wait();
      const receipt = await (await manager.createChannel(receiver, deposit)).wait();
      if (!receipt) throw new Error('createChannel was not mined');
      const log = receipt.logs.find(
        (l: Log) => manager.interface.parseLog(l)?.name === 'ChannelCreated',
      ) as Log;
      const parsed = manager.interface.parseLog(log)!;
      const block = await provider.getBlock(receipt.blockNumber);
      return createChannelEvent(
        'channel.created',
        {
          channelId: parsed.args.channelId as Hex32,
          sender: parsed.args.sender as Address,
          receiver: parsed.args.receiver as Address,
          deposit: parsed.args.deposit as bigint,
          chainId: deployment.chainId,
          channelManager: deployment.channelManager as Address,
          blockNumber: receipt.blockNumber,
          blockHash: receipt.blockHash as Hex32,
          transactionHash: receipt.hash as Hex32,
          logIndex: log.index,
        },
        { source: 'chain-watcher', occurredAt: new Date(Number(block!.timestamp) * 1000).toISOString() },
      );
    },
    async topUp(senderIndex, channelId, amount) {
      const sender = walletOf(senderIndex);
      const token = microTokenAt(deployment.token, sender);
      await (await token.mint(await sender.getAddress(), amount)).wait();
      await (await token.approve(deployment.channelManager, amount)).wait();
      await (await channelManagerAt(deployment.channelManager, sender).topUp(channelId, amount)).wait();
    },
    async mine(blocks) {
      await provider.send('anvil_mine', [`0x${blocks.toString(16)}`]);
    },
    close: () => provider.destroy(),
  };
}

/** Writes a routes file for the gateway and returns its path. */
export function writeRoutesFile(routes: unknown[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gateway-routes-'));
  const file = path.join(dir, 'routes.json');
  writeFileSync(file, JSON.stringify({ routes }));
  return file;
}
