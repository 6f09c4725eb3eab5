import type { Signature, TransactionReceipt, TypedDataDomain, Wallet } from 'ethers';
import {
  channelManagerAt,
  deployContracts,
  microTokenAt,
  type ChannelManagerContract,
  type Deployment,
  type MicroTokenContract,
} from '@microraiden/contracts';
import { connectAnvil, type AnvilChain } from './anvil-chain';
import {
  signBalanceProof,
  signClosingProof,
  signPermit,
  type PermitParams,
  type ProofDomain,
} from './sign-proofs';

/** A channel opened by {@link ChannelFixture.openChannel}. */
export interface OpenChannel {
  channelId: string;
  sender: Wallet;
  receiver: Wallet;
  deposit: bigint;
  receipt: TransactionReceipt;
}

/** Freshly deployed MicroToken + MicroTransferChannels and builders for parties and channels. */
export interface ChannelFixture {
  chain: AnvilChain;
  deployer: Wallet;
  deployment: Deployment;
  /** Bound to the deployer; use `.connect(wallet)` to act as someone else. */
  manager: ChannelManagerContract;
  token: MicroTokenContract;
  domain: ProofDomain;
  /** A fresh account with ETH only. */
  newAccount(): Promise<Wallet>;
  /** A fresh account holding `tokens` MicroTokens, with the manager approved for all of them. */
  fundedSender(tokens?: bigint): Promise<Wallet>;
  /** Open a channel (defaults: a new funded sender, a new receiver, deposit 1,000). */
  openChannel(options?: { sender?: Wallet; receiver?: Wallet; deposit?: bigint }): Promise<OpenChannel>;
  /** The channel sender's balance proof for `balance`. */
  balanceProof(
    channel: OpenChannel,
    balance: bigint,
    domainOverride?: Partial<TypedDataDomain>,
  ): Promise<string>;
  /** The channel receiver's closing proof for `balance`. */
  closingProof(
    channel: OpenChannel,
    balance: bigint,
    domainOverride?: Partial<TypedDataDomain>,
  ): Promise<string>;
  /** Token balances of several addresses at once. */
  balancesOf(...addresses: string[]): Promise<bigint[]>;
  /** `owner`'s EIP-2612 permit letting the manager take `value` tokens, valid for `validFor` seconds. */
  permit(owner: Wallet, value: bigint, validFor?: bigint): Promise<{ params: PermitParams; sig: Signature }>;
}

/** Deploy a fresh token and channel manager on the shared anvil. */
export async function deployChannelFixture(
  rpcUrl: string,
  { challengePeriod = 3600 }: { challengePeriod?: number } = {},
): Promise<ChannelFixture> {
  const chain = await connectAnvil(rpcUrl);
  const deployer = await chain.newAccount();
  const deployment = await deployContracts(deployer, { challengePeriod });
  const manager = channelManagerAt(deployment.channelManager, deployer);
  const token = microTokenAt(deployment.token, deployer);
  const domain: ProofDomain = { chainId: chain.chainId, channelManager: deployment.channelManager };

  const fundedSender = async (tokens = 1_000_000n): Promise<Wallet> => {
    const sender = await chain.newAccount();
    await (await token.mint(sender.address, tokens)).wait();
    await (await token.connect(sender).approve(deployment.channelManager, tokens)).wait();
    return sender;
  };

  return {
    chain,
    deployer,
    deployment,
    manager,
    token,
    domain,
    newAccount: () => chain.newAccount(),
    fundedSender,
    async openChannel(options = {}) {
      const sender = options.sender ?? (await fundedSender());
      const receiver = options.receiver ?? (await chain.newAccount());
      const deposit = options.deposit ?? 1_000n;
      const nonce = await manager.channelNonce(sender.address);
      const receipt = await (await manager.connect(sender).createChannel(receiver.address, deposit)).wait();
      if (!receipt) throw new Error('createChannel was not mined');
      const channelId = await manager.channelIdOf(sender.address, receiver.address, nonce);
      return { channelId, sender, receiver, deposit, receipt };
    },
    balanceProof: (channel, balance, domainOverride) =>
      signBalanceProof(
        channel.sender,
        domain,
        { channelId: channel.channelId, receiver: channel.receiver.address, balance },
        domainOverride,
      ),
    closingProof: (channel, balance, domainOverride) =>
      signClosingProof(
        channel.receiver,
        domain,
        { channelId: channel.channelId, sender: channel.sender.address, balance },
        domainOverride,
      ),
    balancesOf: (...addresses) => Promise.all(addresses.map((address) => token.balanceOf(address))),
    async permit(owner, value, validFor = 3_600n) {
      const params: PermitParams = {
        token: deployment.token,
        tokenName: 'MicroToken',
        chainId: chain.chainId,
        owner: owner.address,
        spender: deployment.channelManager,
        value,
        nonce: await token.nonces(owner.address),
        deadline: (await chain.latestTimestamp()) + validFor,
      };
      return { params, sig: await signPermit(owner, params) };
    },
  };
}

/** The receipt of a sent transaction, failing the test if it was not mined successfully. */
export async function mined(
  tx: Promise<{ wait(): Promise<TransactionReceipt | null> }>,
): Promise<TransactionReceipt> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error('transaction was not mined');
  return receipt;
}
