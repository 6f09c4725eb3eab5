import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HDNodeWallet, JsonRpcProvider, Mnemonic, Wallet } from 'ethers';
import {
  channelManagerAt,
  deployContracts,
  microTokenAt,
  type ChannelManagerContract,
  type Deployment,
  type MicroTokenContract,
} from '@microraiden/contracts';
import type { Address, ChannelView, Hex, Hex32 } from '@microraiden/protocol';
import { ANVIL_MNEMONIC } from '@microraiden/testing';
import { Client, type ClientOptions } from '../../src';
import { TestGateway } from '../../src/test/test-gateway';

/** anvil account `index` of the test mnemonic (this suite uses 5..9 only, so other suites never share nonces). */
export function anvilAccount(index: 5 | 6 | 7 | 8 | 9, provider: JsonRpcProvider): Wallet {
  const node = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(ANVIL_MNEMONIC), `m/44'/60'/0'/0/${index}`);
  return new Wallet(node.privateKey, provider);
}

/** Fresh contracts on the shared anvil, the parties of the seed lifecycle and helpers around them. */
export interface ClientFixture {
  provider: JsonRpcProvider;
  deployment: Deployment;
  manager: ChannelManagerContract;
  token: MicroTokenContract;
  /** anvil account 5. */
  sender: Wallet;
  senderKey: Hex;
  /** anvil account 7: a second sender, for tests that must not see account 5's channels. */
  otherSender: Wallet;
  /** anvil account 6. */
  receiver: Wallet;
  receiverKey: Hex;
  /** A fresh state directory per call. */
  stateDir(): Promise<string>;
  /** A client for the sender (account 5 unless `key`), state in a fresh directory unless `stateDir`. */
  client(options?: Partial<ClientOptions> & { key?: Hex }): Promise<Client>;
  /** Faucet-mints tokens to `to`. */
  mint(to: string, amount: bigint): Promise<void>;
  balanceOf(address: string): Promise<bigint>;
  /** Moves chain time forward and mines a block. */
  increaseTime(seconds: number): Promise<void>;
  /** A TestGateway for the receiver that looks channels up on this chain. */
  gateway(price: bigint): TestGateway;
  /** Removes temp dirs and the provider. */
  dispose(): Promise<void>;
}

/** Deploys a MicroToken + MicroTransferChannels (challenge period 1 hour) with account 9. */
export async function deployClientFixture(rpcUrl: string): Promise<ClientFixture> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1 });
  provider.pollingInterval = 50;
  const deployer = anvilAccount(9, provider);
  const deployment = await deployContracts(deployer, { challengePeriod: 3600 });
  const manager = channelManagerAt(deployment.channelManager, provider);
  const token = microTokenAt(deployment.token, deployer);
  const sender = anvilAccount(5, provider);
  const receiver = anvilAccount(6, provider);
  const dirs: string[] = [];
  const clients: Client[] = [];

  const stateDir = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'microraiden-client-int-'));
    dirs.push(dir);
    return dir;
  };

  const channelView = async (id: Hex32): Promise<ChannelView | undefined> => {
    const [s, r, deposit, , , settleAt] = await manager.getChannel(id);
    if (BigInt(s) === 0n) return undefined;
    return {
      sender: s as Address,
      receiver: r as Address,
      deposit,
      state: settleAt === 0n ? 'open' : 'closing',
      confirmations: 1,
    };
  };

  return {
    provider,
    deployment,
    manager,
    token,
    sender,
    senderKey: sender.privateKey as Hex,
    otherSender: anvilAccount(7, provider),
    receiver,
    receiverKey: receiver.privateKey as Hex,
    stateDir,
    async client(options = {}) {
      const { key, ...rest } = options;
      const client = new Client(
        { privateKey: key ?? sender.privateKey },
        { rpcUrl, deployment, stateDir: await stateDir(), pollingIntervalMs: 50, ...rest },
      );
      clients.push(client);
      return client;
    },
    async mint(to, amount) {
      await (await token.mint(to, amount)).wait();
    },
    balanceOf: (address) => token.balanceOf(address),
    async increaseTime(seconds) {
      await provider.send('evm_increaseTime', [seconds]);
      await provider.send('evm_mine', []);
    },
    gateway: (price) =>
      new TestGateway({
        receiverKey: receiver.privateKey as Hex,
        chainId: BigInt(deployment.chainId),
        channelManager: deployment.channelManager as Address,
        token: deployment.token as Address,
        price,
        channelView,
      }),
    async dispose() {
      await Promise.all(clients.map((c) => c.close()));
      provider.destroy();
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}
