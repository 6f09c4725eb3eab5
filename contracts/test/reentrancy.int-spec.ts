import { Contract, ContractFactory, Interface, ZeroAddress, type Wallet } from 'ethers';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  channelManagerAt,
  decodeRevert,
  deployContracts,
  encodeCreateChannelData,
  microTransferChannelsAbi,
  type ChannelManagerContract,
  type TypedContract,
} from '@microraiden/contracts';
import {
  reentrantTokenAbi,
  reentrantTokenBytecode,
} from '../../libs/contracts/src/generated/test/reentrant-token';
import { connectAnvil, type AnvilChain } from './anvil-chain';
import { mined } from './channel-fixture';
import { eventsOf } from './events';
import { expectRevert } from './revert';
import { signBalanceProof, signClosingProof, type ProofDomain } from './sign-proofs';

type ReentrantToken = TypedContract<typeof reentrantTokenAbi>;

const managerInterface = new Interface(microTransferChannelsAbi);

describe('MicroTransferChannels: reentrancy through a malicious token', () => {
  let chain: AnvilChain;
  let deployer: Wallet;
  let token: ReentrantToken;
  let manager: ChannelManagerContract;
  let managerAddress: string;
  let domain: ProofDomain;

  beforeAll(async () => {
    chain = await connectAnvil(inject('rpcUrl'));
    deployer = await chain.newAccount();
    const deployed = await new ContractFactory(reentrantTokenAbi, reentrantTokenBytecode, deployer).deploy();
    await deployed.waitForDeployment();
    const tokenAddress = await deployed.getAddress();
    token = new Contract(tokenAddress, reentrantTokenAbi, deployer) as unknown as ReentrantToken;
    const deployment = await deployContracts(deployer, { challengePeriod: 3600, token: tokenAddress });
    managerAddress = deployment.channelManager;
    manager = channelManagerAt(managerAddress, deployer);
    domain = { chainId: chain.chainId, channelManager: managerAddress };
  });

  // A reverted transaction also reverts the token's disarming: never leave an attack armed for the next test.
  afterEach(async () => {
    await mined(token.arm(ZeroAddress, '0x', false));
  });

  const openChannel = async (deposit = 1_000n) => {
    const sender = await chain.newAccount();
    const receiver = await chain.newAccount();
    await mined(token.mint(sender.address, deposit));
    await mined(token.connect(sender).approve(managerAddress, deposit));
    await mined(manager.connect(sender).createChannel(receiver.address, deposit));
    const channelId = await manager.channelIdOf(sender.address, receiver.address, 0n);
    const proofs = async (balance: bigint) => ({
      balanceSig: await signBalanceProof(sender, domain, { channelId, receiver: receiver.address, balance }),
      closingSig: await signClosingProof(receiver, domain, { channelId, sender: sender.address, balance }),
    });
    return { sender, receiver, channelId, proofs };
  };

  const arm = async (calldata: string, swallow: boolean) =>
    mined(token.arm(managerAddress, calldata, swallow));

  const expectBlockedByGuard = async () => {
    expect(await token.attacked()).toBe(true);
    expect(await token.attackSucceeded()).toBe(false);
    expect(decodeRevert(await token.attackResult())?.name).toBe('ReentrancyGuardReentrantCall');
  };

  it('settle re-entered from the payout is blocked and pays each party once', async () => {
    const { sender, receiver, channelId } = await openChannel(1_000n);
    await mined(manager.connect(sender).uncooperativeClose(channelId, 300n));
    await chain.increaseTime(3_601n);
    const managerBefore = await token.balanceOf(managerAddress);
    await arm(managerInterface.encodeFunctionData('settle', [channelId]), true);

    const receipt = await mined(manager.settle(channelId));

    await expectBlockedByGuard();
    expect(eventsOf(receipt, managerAddress, microTransferChannelsAbi).map((e) => e.name)).toEqual([
      'ChannelSettled',
    ]);
    expect(await token.balanceOf(receiver.address)).toBe(300n);
    expect(await token.balanceOf(sender.address)).toBe(700n);
    expect(await token.balanceOf(managerAddress)).toBe(managerBefore - 1_000n);
  });

  it('cooperativeClose re-entered with the same signatures reverts the whole transaction', async () => {
    const { sender, receiver, channelId, proofs } = await openChannel(1_000n);
    const { balanceSig, closingSig } = await proofs(600n);
    await arm(
      managerInterface.encodeFunctionData('cooperativeClose', [channelId, 600n, balanceSig, closingSig]),
      false,
    );

    await expectRevert(
      manager.cooperativeClose(channelId, 600n, balanceSig, closingSig),
      'ReentrancyGuardReentrantCall',
    );

    expect((await manager.getChannel(channelId))[2]).toBe(1_000n);
    expect(await token.balanceOf(receiver.address)).toBe(0n);
    expect(await token.balanceOf(sender.address)).toBe(0n);
  });

  it('withdraw re-entered with a cooperative close pays the withdrawal once and leaves the channel open', async () => {
    const { receiver, channelId, proofs } = await openChannel(1_000n);
    const { balanceSig, closingSig } = await proofs(300n);
    await arm(
      managerInterface.encodeFunctionData('cooperativeClose', [channelId, 300n, balanceSig, closingSig]),
      true,
    );

    await mined(manager.connect(receiver).withdraw(channelId, 300n, balanceSig));

    await expectBlockedByGuard();
    expect(await token.balanceOf(receiver.address)).toBe(300n);
    const [, , deposit, withdrawn, , settleAt] = await manager.getChannel(channelId);
    expect([deposit, withdrawn, settleAt]).toEqual([1_000n, 300n, 0n]);
  });

  it('a token callback faked during a deposit cannot credit a second channel', async () => {
    const sender = await chain.newAccount();
    const receiver = await chain.newAccount();
    const thief = await chain.newAccount();
    await mined(token.mint(sender.address, 500n));
    await mined(token.connect(sender).approve(managerAddress, 500n));
    const managerBefore = await token.balanceOf(managerAddress);
    await arm(
      managerInterface.encodeFunctionData('onTransferReceived', [
        thief.address,
        thief.address,
        1_000_000n,
        encodeCreateChannelData(receiver.address),
      ]),
      true,
    );

    await mined(manager.connect(sender).createChannel(receiver.address, 500n));

    await expectBlockedByGuard();
    expect(await manager.channelNonce(thief.address)).toBe(0n);
    expect(await manager.channelNonce(sender.address)).toBe(1n);
    expect(await token.balanceOf(managerAddress)).toBe(managerBefore + 500n);
  });
});
