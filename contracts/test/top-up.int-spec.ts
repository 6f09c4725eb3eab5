import { id } from 'ethers';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { microTransferChannelsAbi } from '@microraiden/contracts';
import { deployChannelFixture, mined, type ChannelFixture } from './channel-fixture';
import { eventsOf } from './events';
import { expectRevert } from './revert';

const MAX_DEPOSIT = 2n ** 96n - 1n;

describe('MicroTransferChannels: topUp', () => {
  let f: ChannelFixture;

  beforeAll(async () => {
    f = await deployChannelFixture(inject('rpcUrl'));
  });

  it('topUp adds to the deposit and emits ChannelToppedUp with the new total', async () => {
    const channel = await f.openChannel({ deposit: 1_000n });
    const [senderBefore] = await f.balancesOf(channel.sender.address);

    const receipt = await mined(f.manager.connect(channel.sender).topUp(channel.channelId, 250n));

    expect(eventsOf(receipt, f.deployment.channelManager, microTransferChannelsAbi)).toEqual([
      {
        name: 'ChannelToppedUp',
        args: [channel.channelId, channel.sender.address, channel.receiver.address, 250n, 1_250n],
      },
    ]);
    expect((await f.manager.getChannel(channel.channelId))[2]).toBe(1_250n);
    expect(await f.balancesOf(channel.sender.address)).toEqual([senderBefore! - 250n]);
  });

  it('topUp after a withdraw keeps the withdrawn amount', async () => {
    const channel = await f.openChannel({ deposit: 1_000n });
    await mined(
      f.manager
        .connect(channel.receiver)
        .withdraw(channel.channelId, 400n, await f.balanceProof(channel, 400n)),
    );
    await mined(f.manager.connect(channel.sender).topUp(channel.channelId, 500n));
    const [, , deposit, withdrawn] = await f.manager.getChannel(channel.channelId);
    expect([deposit, withdrawn]).toEqual([1_500n, 400n]);
  });

  it('topUp reverts ChannelNotFound for an unknown or settled channel', async () => {
    const sender = await f.fundedSender();
    const unknown = id('no such channel');
    await expectRevert(f.manager.connect(sender).topUp(unknown, 1n), 'ChannelNotFound', [unknown]);

    const channel = await f.openChannel({ sender });
    await mined(
      f.manager.cooperativeClose(
        channel.channelId,
        10n,
        await f.balanceProof(channel, 10n),
        await f.closingProof(channel, 10n),
      ),
    );
    await expectRevert(f.manager.connect(sender).topUp(channel.channelId, 1n), 'ChannelNotFound', [
      channel.channelId,
    ]);
  });

  it('topUp reverts NotSender for the receiver or a stranger', async () => {
    const channel = await f.openChannel();
    const stranger = await f.fundedSender();
    await expectRevert(f.manager.connect(channel.receiver).topUp(channel.channelId, 1n), 'NotSender', [
      channel.receiver.address,
    ]);
    await expectRevert(f.manager.connect(stranger).topUp(channel.channelId, 1n), 'NotSender', [
      stranger.address,
    ]);
  });

  it('topUp reverts ChannelIsClosing during the challenge period', async () => {
    const channel = await f.openChannel();
    await mined(f.manager.connect(channel.sender).uncooperativeClose(channel.channelId, 0n));
    await expectRevert(f.manager.connect(channel.sender).topUp(channel.channelId, 1n), 'ChannelIsClosing', [
      channel.channelId,
    ]);
  });

  it('topUp reverts ZeroAmount for nothing added', async () => {
    const channel = await f.openChannel();
    await expectRevert(f.manager.connect(channel.sender).topUp(channel.channelId, 0n), 'ZeroAmount');
  });

  it('topUp reverts DepositTooLarge when the total would exceed 2^96 - 1', async () => {
    const sender = await f.fundedSender(MAX_DEPOSIT + 1n);
    const channel = await f.openChannel({ sender, deposit: MAX_DEPOSIT });
    await expectRevert(f.manager.connect(sender).topUp(channel.channelId, 1n), 'DepositTooLarge', [
      MAX_DEPOSIT + 1n,
      MAX_DEPOSIT,
    ]);
  });

  describe('topUpWithPermit', () => {
    it('tops up with a permit instead of an approve', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      await mined(f.token.connect(channel.sender).approve(f.deployment.channelManager, 0n));
      const { params, sig } = await f.permit(channel.sender, 300n);

      const receipt = await mined(
        f.manager
          .connect(channel.sender)
          .topUpWithPermit(channel.channelId, 300n, params.deadline, sig.v, sig.r, sig.s),
      );

      expect(eventsOf(receipt, f.deployment.channelManager, microTransferChannelsAbi)).toEqual([
        {
          name: 'ChannelToppedUp',
          args: [channel.channelId, channel.sender.address, channel.receiver.address, 300n, 1_300n],
        },
      ]);
      expect(await f.token.allowance(channel.sender.address, f.deployment.channelManager)).toBe(0n);
    });

    it('reverts NotSender when someone tops up a channel that is not theirs, even with a valid permit', async () => {
      const channel = await f.openChannel();
      const stranger = await f.fundedSender();
      const { params, sig } = await f.permit(stranger, 10n);
      await expectRevert(
        f.manager
          .connect(stranger)
          .topUpWithPermit(channel.channelId, 10n, params.deadline, sig.v, sig.r, sig.s),
        'NotSender',
        [stranger.address],
      );
    });

    it('reverts ChannelIsClosing during the challenge period', async () => {
      const channel = await f.openChannel();
      await mined(f.manager.connect(channel.sender).uncooperativeClose(channel.channelId, 0n));
      const { params, sig } = await f.permit(channel.sender, 10n);
      await expectRevert(
        f.manager
          .connect(channel.sender)
          .topUpWithPermit(channel.channelId, 10n, params.deadline, sig.v, sig.r, sig.s),
        'ChannelIsClosing',
        [channel.channelId],
      );
    });

    it('re-throws the permit error when there is no allowance to fall back on', async () => {
      const channel = await f.openChannel();
      await mined(f.token.connect(channel.sender).approve(f.deployment.channelManager, 0n));
      const { sig } = await f.permit(channel.sender, 10n);
      const expired = (await f.chain.latestTimestamp()) - 10n;
      await expectRevert(
        f.manager
          .connect(channel.sender)
          .topUpWithPermit(channel.channelId, 10n, expired, sig.v, sig.r, sig.s),
        'ERC2612ExpiredSignature',
        [expired],
      );
    });
  });
});
