import { ZeroAddress } from 'ethers';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { computeChannelId, microTransferChannelsAbi } from '@microraiden/contracts';
import { deployChannelFixture, mined, type ChannelFixture } from './channel-fixture';
import { eventsOf } from './events';
import { expectRevert } from './revert';
import { recoverPermitSigner, signPermit } from './sign-proofs';

const MAX_DEPOSIT = 2n ** 96n - 1n;

describe('MicroTransferChannels: createChannel', () => {
  let f: ChannelFixture;

  beforeAll(async () => {
    f = await deployChannelFixture(inject('rpcUrl'));
  });

  it('createChannel escrows the deposit, emits ChannelCreated and derives the id from the sender nonce', async () => {
    const sender = await f.fundedSender(5_000n);
    const receiver = await f.newAccount();
    expect(await f.manager.channelNonce(sender.address)).toBe(0n);
    const [managerBefore] = await f.balancesOf(f.deployment.channelManager);

    const receipt = await mined(f.manager.connect(sender).createChannel(receiver.address, 1_200n));

    const channelId = computeChannelId({
      chainId: f.chain.chainId,
      channelManager: f.deployment.channelManager,
      sender: sender.address,
      receiver: receiver.address,
      nonce: 0n,
    });
    expect(await f.manager.channelIdOf(sender.address, receiver.address, 0n)).toBe(channelId);
    expect(eventsOf(receipt, f.deployment.channelManager, microTransferChannelsAbi)).toEqual([
      { name: 'ChannelCreated', args: [channelId, sender.address, receiver.address, 1_200n] },
    ]);
    expect([...(await f.manager.getChannel(channelId))]).toEqual([
      sender.address,
      receiver.address,
      1_200n,
      0n,
      0n,
      0n,
    ]);
    expect(await f.manager.channelNonce(sender.address)).toBe(1n);
    expect(await f.balancesOf(sender.address, f.deployment.channelManager)).toEqual([
      3_800n,
      managerBefore! + 1_200n,
    ]);
  });

  it('createChannel returns the new channel id', async () => {
    const sender = await f.fundedSender();
    const receiver = await f.newAccount();
    const returned = await f.manager.connect(sender).createChannel.staticCall(receiver.address, 10n);
    expect(returned).toBe(await f.manager.channelIdOf(sender.address, receiver.address, 0n));
  });

  it('createChannel opens several channels between the same pair, each with its own id and deposit', async () => {
    const sender = await f.fundedSender();
    const receiver = await f.newAccount();
    const channels = [];
    for (const deposit of [100n, 200n, 300n]) {
      channels.push(await f.openChannel({ sender, receiver, deposit }));
    }
    const ids = channels.map((c) => c.channelId);
    expect(new Set(ids).size).toBe(3);
    for (const [nonce, channel] of channels.entries()) {
      expect(channel.channelId).toBe(
        await f.manager.channelIdOf(sender.address, receiver.address, BigInt(nonce)),
      );
      expect((await f.manager.getChannel(channel.channelId))[2]).toBe(channel.deposit);
    }
    expect(await f.manager.channelNonce(sender.address)).toBe(3n);
  });

  it('channel ids are never reused: a settled channel does not free its nonce', async () => {
    const channel = await f.openChannel();
    await mined(
      f.manager.cooperativeClose(
        channel.channelId,
        0n,
        await f.balanceProof(channel, 0n),
        await f.closingProof(channel, 0n),
      ),
    );
    const next = await f.openChannel({ sender: channel.sender, receiver: channel.receiver });
    expect(next.channelId).not.toBe(channel.channelId);
    expect(await f.manager.channelNonce(channel.sender.address)).toBe(2n);
  });

  it('createChannel reverts InvalidReceiver for the zero address, the sender itself and the manager', async () => {
    const sender = await f.fundedSender();
    const asSender = f.manager.connect(sender);
    await expectRevert(asSender.createChannel(ZeroAddress, 1n), 'InvalidReceiver', [ZeroAddress]);
    await expectRevert(asSender.createChannel(sender.address, 1n), 'InvalidReceiver', [sender.address]);
    await expectRevert(asSender.createChannel(f.deployment.channelManager, 1n), 'InvalidReceiver', [
      f.deployment.channelManager,
    ]);
  });

  it('createChannel reverts ZeroAmount for a zero deposit', async () => {
    const sender = await f.fundedSender();
    await expectRevert(
      f.manager.connect(sender).createChannel((await f.newAccount()).address, 0n),
      'ZeroAmount',
    );
  });

  it('createChannel reverts DepositTooLarge above 2^96 - 1 and accepts exactly 2^96 - 1', async () => {
    const sender = await f.fundedSender(MAX_DEPOSIT + 1n);
    const receiver = await f.newAccount();
    await expectRevert(
      f.manager.connect(sender).createChannel(receiver.address, MAX_DEPOSIT + 1n),
      'DepositTooLarge',
      [MAX_DEPOSIT + 1n, MAX_DEPOSIT],
    );
    const channel = await f.openChannel({ sender, receiver, deposit: MAX_DEPOSIT });
    expect((await f.manager.getChannel(channel.channelId))[2]).toBe(MAX_DEPOSIT);
  });

  it('createChannel bubbles the token error without allowance or balance', async () => {
    const sender = await f.newAccount();
    const receiver = await f.newAccount();
    await expectRevert(
      f.manager.connect(sender).createChannel(receiver.address, 5n),
      'ERC20InsufficientAllowance',
      [f.deployment.channelManager, 0n, 5n],
    );
    await mined(f.token.connect(sender).approve(f.deployment.channelManager, 5n));
    await expectRevert(
      f.manager.connect(sender).createChannel(receiver.address, 5n),
      'ERC20InsufficientBalance',
      [sender.address, 0n, 5n],
    );
  });

  describe('createChannelWithPermit', () => {
    it('opens a channel in one transaction without a prior approve', async () => {
      const sender = await f.newAccount();
      const receiver = await f.newAccount();
      await mined(f.token.mint(sender.address, 1_000n));
      const { params: permit, sig } = await f.permit(sender, 700n);
      const [managerBefore] = await f.balancesOf(f.deployment.channelManager);

      const receipt = await mined(
        f.manager
          .connect(sender)
          .createChannelWithPermit(receiver.address, 700n, permit.deadline, sig.v, sig.r, sig.s),
      );

      const channelId = await f.manager.channelIdOf(sender.address, receiver.address, 0n);
      expect(eventsOf(receipt, f.deployment.channelManager, microTransferChannelsAbi)).toEqual([
        { name: 'ChannelCreated', args: [channelId, sender.address, receiver.address, 700n] },
      ]);
      expect(await f.balancesOf(sender.address, f.deployment.channelManager)).toEqual([
        300n,
        managerBefore! + 700n,
      ]);
      expect(await f.token.allowance(sender.address, f.deployment.channelManager)).toBe(0n);
      expect(await f.token.nonces(sender.address)).toBe(1n);
    });

    it('still opens the channel when someone front-ran the same permit', async () => {
      const sender = await f.newAccount();
      const receiver = await f.newAccount();
      const frontRunner = await f.newAccount();
      await mined(f.token.mint(sender.address, 1_000n));
      const { params: permit, sig } = await f.permit(sender, 400n);
      await mined(
        f.token
          .connect(frontRunner)
          .permit(sender.address, f.deployment.channelManager, 400n, permit.deadline, sig.v, sig.r, sig.s),
      );

      await mined(
        f.manager
          .connect(sender)
          .createChannelWithPermit(receiver.address, 400n, permit.deadline, sig.v, sig.r, sig.s),
      );
      const channelId = await f.manager.channelIdOf(sender.address, receiver.address, 0n);
      expect((await f.manager.getChannel(channelId))[2]).toBe(400n);
    });

    it('re-throws ERC2612ExpiredSignature for a permit past its deadline', async () => {
      const sender = await f.newAccount();
      await mined(f.token.mint(sender.address, 1_000n));
      const { params: permit, sig } = await f.permit(sender, 100n, -1n);
      await expectRevert(
        f.manager
          .connect(sender)
          .createChannelWithPermit(
            (await f.newAccount()).address,
            100n,
            permit.deadline,
            sig.v,
            sig.r,
            sig.s,
          ),
        'ERC2612ExpiredSignature',
        [permit.deadline],
      );
    });

    it('re-throws ERC2612InvalidSigner for a permit signed by someone else', async () => {
      const sender = await f.newAccount();
      const other = await f.newAccount();
      await mined(f.token.mint(sender.address, 1_000n));
      const { params: permit } = await f.permit(sender, 100n);
      const sig = await signPermit(other, permit);
      await expectRevert(
        f.manager
          .connect(sender)
          .createChannelWithPermit(
            (await f.newAccount()).address,
            100n,
            permit.deadline,
            sig.v,
            sig.r,
            sig.s,
          ),
        'ERC2612InvalidSigner',
        [other.address, sender.address],
      );
    });

    it('re-throws ERC2612InvalidSigner when the deposit differs from the permitted value', async () => {
      const sender = await f.newAccount();
      await mined(f.token.mint(sender.address, 1_000n));
      const { params: permit, sig } = await f.permit(sender, 100n);
      await expectRevert(
        f.manager
          .connect(sender)
          .createChannelWithPermit(
            (await f.newAccount()).address,
            150n,
            permit.deadline,
            sig.v,
            sig.r,
            sig.s,
          ),
        'ERC2612InvalidSigner',
        [recoverPermitSigner({ ...permit, value: 150n }, sig), sender.address],
      );
      expect(await f.manager.channelNonce(sender.address)).toBe(0n);
    });

    it('applies the createChannel checks after the permit', async () => {
      const sender = await f.newAccount();
      await mined(f.token.mint(sender.address, 1_000n));
      const { params: permit, sig } = await f.permit(sender, 100n);
      await expectRevert(
        f.manager
          .connect(sender)
          .createChannelWithPermit(ZeroAddress, 100n, permit.deadline, sig.v, sig.r, sig.s),
        'InvalidReceiver',
        [ZeroAddress],
      );
    });
  });
});
