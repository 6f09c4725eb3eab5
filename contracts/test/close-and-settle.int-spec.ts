import { ZeroAddress, id } from 'ethers';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { microTransferChannelsAbi } from '@microraiden/contracts';
import { deployChannelFixture, mined, type ChannelFixture, type OpenChannel } from './channel-fixture';
import { eventsOf } from './events';
import { expectRevert } from './revert';

const CHALLENGE_PERIOD = 3600n;

describe('MicroTransferChannels: closing and settling', () => {
  let f: ChannelFixture;

  beforeAll(async () => {
    f = await deployChannelFixture(inject('rpcUrl'), { challengePeriod: Number(CHALLENGE_PERIOD) });
  });

  const settledEvent = (
    channel: OpenChannel,
    balance: bigint,
    receiverPaid: bigint,
    senderRefund: bigint,
  ) => ({
    name: 'ChannelSettled',
    args: [
      channel.channelId,
      channel.sender.address,
      channel.receiver.address,
      balance,
      receiverPaid,
      senderRefund,
    ],
  });

  const events = (receipt: Awaited<ReturnType<typeof mined>>) =>
    eventsOf(receipt, f.deployment.channelManager, microTransferChannelsAbi);

  const expectDeleted = async (channel: OpenChannel) => {
    expect([...(await f.manager.getChannel(channel.channelId))]).toEqual([
      ZeroAddress,
      ZeroAddress,
      0n,
      0n,
      0n,
      0n,
    ]);
  };

  const withdraw = async (channel: OpenChannel, balance: bigint) =>
    mined(
      f.manager
        .connect(channel.receiver)
        .withdraw(channel.channelId, balance, await f.balanceProof(channel, balance)),
    );

  /** Start the challenge period; returns settleAt. */
  const requestClose = async (channel: OpenChannel, balance: bigint): Promise<bigint> => {
    await mined(f.manager.connect(channel.sender).uncooperativeClose(channel.channelId, balance));
    return (await f.manager.getChannel(channel.channelId))[5];
  };

  describe('cooperativeClose', () => {
    const cooperativeClose = async (channel: OpenChannel, balance: bigint, submitter = channel.sender) =>
      f.manager
        .connect(submitter)
        .cooperativeClose(
          channel.channelId,
          balance,
          await f.balanceProof(channel, balance),
          await f.closingProof(channel, balance),
        );

    it('pays the receiver, refunds the sender, deletes the channel and emits ChannelSettled', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      const [senderBefore, managerBefore] = await f.balancesOf(
        channel.sender.address,
        f.deployment.channelManager,
      );

      const receipt = await mined(cooperativeClose(channel, 600n));

      expect(events(receipt)).toEqual([settledEvent(channel, 600n, 600n, 400n)]);
      expect(
        await f.balancesOf(channel.receiver.address, channel.sender.address, f.deployment.channelManager),
      ).toEqual([600n, senderBefore! + 400n, managerBefore! - 1_000n]);
      await expectDeleted(channel);
    });

    it('can be submitted by anyone holding both signatures', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      const relayer = await f.newAccount();
      const receipt = await mined(cooperativeClose(channel, 1_000n, relayer));
      expect(events(receipt)).toEqual([settledEvent(channel, 1_000n, 1_000n, 0n)]);
      expect(await f.balancesOf(channel.receiver.address, relayer.address)).toEqual([1_000n, 0n]);
    });

    it('at balance 0 refunds the whole deposit', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      const [senderBefore] = await f.balancesOf(channel.sender.address);
      const receipt = await mined(cooperativeClose(channel, 0n));
      expect(events(receipt)).toEqual([settledEvent(channel, 0n, 0n, 1_000n)]);
      expect(await f.balancesOf(channel.sender.address, channel.receiver.address)).toEqual([
        senderBefore! + 1_000n,
        0n,
      ]);
    });

    it('after a withdraw pays only the rest', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      await withdraw(channel, 300n);
      const [senderBefore] = await f.balancesOf(channel.sender.address);
      const receipt = await mined(cooperativeClose(channel, 700n));
      expect(events(receipt)).toEqual([settledEvent(channel, 700n, 400n, 300n)]);
      expect(await f.balancesOf(channel.receiver.address, channel.sender.address)).toEqual([
        700n,
        senderBefore! + 300n,
      ]);
    });

    it('with a balance below the withdrawn amount settles at the withdrawn amount', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      await withdraw(channel, 500n);
      const receipt = await mined(cooperativeClose(channel, 200n));
      expect(events(receipt)).toEqual([settledEvent(channel, 500n, 0n, 500n)]);
      expect(await f.balancesOf(channel.receiver.address)).toEqual([500n]);
    });

    it('works during the challenge period and overrides the sender claim', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      await requestClose(channel, 100n);
      const receipt = await mined(cooperativeClose(channel, 800n));
      expect(events(receipt)).toEqual([settledEvent(channel, 800n, 800n, 200n)]);
      await expectDeleted(channel);
    });

    it('reverts ChannelNotFound for an unknown channel and when replayed after settling', async () => {
      const channel = await f.openChannel();
      const unknown = id('unknown');
      await expectRevert(
        f.manager.cooperativeClose(
          unknown,
          1n,
          await f.balanceProof(channel, 1n),
          await f.closingProof(channel, 1n),
        ),
        'ChannelNotFound',
        [unknown],
      );
      await mined(cooperativeClose(channel, 10n));
      await expectRevert(cooperativeClose(channel, 10n), 'ChannelNotFound', [channel.channelId]);
    });

    it('above the deposit settles at the deposit: the sender pays no more than it signed', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      const receipt = await mined(cooperativeClose(channel, 1_001n));
      expect(events(receipt)).toEqual([settledEvent(channel, 1_000n, 1_000n, 0n)]);
      expect(await f.balancesOf(channel.receiver.address)).toEqual([1_000n]);
    });

    it('reverts InvalidBalanceSignature when the balance proof is not the sender one for this balance', async () => {
      const channel = await f.openChannel();
      const closing = await f.closingProof(channel, 50n);
      await expectRevert(
        f.manager.cooperativeClose(channel.channelId, 50n, closing, closing),
        'InvalidBalanceSignature',
      );
      await expectRevert(
        f.manager.cooperativeClose(channel.channelId, 50n, await f.balanceProof(channel, 49n), closing),
        'InvalidBalanceSignature',
      );
    });

    it('reverts InvalidClosingSignature unless the receiver signed the closing proof for this channel and balance', async () => {
      const channel = await f.openChannel();
      const balanceProof = await f.balanceProof(channel, 50n);
      const close = (closingSig: string) =>
        f.manager.cooperativeClose(channel.channelId, 50n, balanceProof, closingSig);

      await expectRevert(close(balanceProof), 'InvalidClosingSignature');
      await expectRevert(close(await f.closingProof(channel, 51n)), 'InvalidClosingSignature');
      await expectRevert(
        close(await f.closingProof({ ...channel, receiver: channel.sender }, 50n)),
        'InvalidClosingSignature',
      );
      await expectRevert(
        close(await f.closingProof(channel, 50n, { chainId: 1n })),
        'InvalidClosingSignature',
      );
      await expectRevert(
        close(await f.closingProof(channel, 50n, { verifyingContract: f.deployment.token })),
        'InvalidClosingSignature',
      );
    });
  });

  describe('uncooperativeClose', () => {
    it('records the closing balance and settleAt = block time + challenge period, moving no tokens', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      const [managerBefore] = await f.balancesOf(f.deployment.channelManager);

      const receipt = await mined(
        f.manager.connect(channel.sender).uncooperativeClose(channel.channelId, 250n),
      );

      const block = await f.chain.provider.getBlock(receipt.blockNumber);
      const settleAt = BigInt(block!.timestamp) + CHALLENGE_PERIOD;
      expect(events(receipt)).toEqual([
        {
          name: 'ChannelCloseRequested',
          args: [channel.channelId, channel.sender.address, channel.receiver.address, 250n, settleAt],
        },
      ]);
      expect([...(await f.manager.getChannel(channel.channelId))]).toEqual([
        channel.sender.address,
        channel.receiver.address,
        1_000n,
        0n,
        250n,
        settleAt,
      ]);
      expect(await f.balancesOf(f.deployment.channelManager, channel.receiver.address)).toEqual([
        managerBefore,
        0n,
      ]);
    });

    it('raises a claim below the withdrawn amount to the withdrawn amount', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      await withdraw(channel, 300n);
      const receipt = await mined(
        f.manager.connect(channel.sender).uncooperativeClose(channel.channelId, 100n),
      );
      const [event] = events(receipt);
      expect(event?.args.slice(0, 4)).toEqual([
        channel.channelId,
        channel.sender.address,
        channel.receiver.address,
        300n,
      ]);
      expect((await f.manager.getChannel(channel.channelId))[4]).toBe(300n);
    });

    it('reverts ChannelNotFound, NotSender, BalanceExceedsDeposit and ChannelIsClosing', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      const asSender = f.manager.connect(channel.sender);
      const unknown = id('unknown');
      await expectRevert(asSender.uncooperativeClose(unknown, 0n), 'ChannelNotFound', [unknown]);
      await expectRevert(
        f.manager.connect(channel.receiver).uncooperativeClose(channel.channelId, 0n),
        'NotSender',
        [channel.receiver.address],
      );
      await expectRevert(asSender.uncooperativeClose(channel.channelId, 1_001n), 'BalanceExceedsDeposit', [
        1_001n,
        1_000n,
      ]);
      await mined(asSender.uncooperativeClose(channel.channelId, 10n));
      await expectRevert(asSender.uncooperativeClose(channel.channelId, 10n), 'ChannelIsClosing', [
        channel.channelId,
      ]);
    });
  });

  describe('settle', () => {
    it('reverts ChallengePeriodNotOver one second before settleAt and pays out exactly at settleAt', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      const settleAt = await requestClose(channel, 250n);
      const settler = await f.newAccount();
      const [senderBefore] = await f.balancesOf(channel.sender.address);

      const early = await f.chain.sendAt(settleAt - 1n, (overrides) =>
        f.manager.connect(settler).settle(channel.channelId, overrides),
      );
      expect(early.receipt.status).toBe(0);
      expect({ name: early.revert?.name, args: early.revert?.args }).toEqual({
        name: 'ChallengePeriodNotOver',
        args: [settleAt],
      });

      const onTime = await f.chain.sendAt(settleAt, (overrides) =>
        f.manager.connect(settler).settle(channel.channelId, overrides),
      );
      expect(onTime.receipt.status).toBe(1);
      expect(events(onTime.receipt)).toEqual([settledEvent(channel, 250n, 250n, 750n)]);
      expect(await f.balancesOf(channel.receiver.address, channel.sender.address)).toEqual([
        250n,
        senderBefore! + 750n,
      ]);
      await expectDeleted(channel);
      await expectRevert(f.manager.settle(channel.channelId), 'ChannelNotFound', [channel.channelId]);
    });

    it('after a withdraw pays the receiver only the closing balance minus the withdrawn amount', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      await withdraw(channel, 300n);
      const settleAt = await requestClose(channel, 450n);
      await f.chain.mineAt(settleAt + 10n);
      const receipt = await mined(f.manager.settle(channel.channelId));
      expect(events(receipt)).toEqual([settledEvent(channel, 450n, 150n, 550n)]);
      expect(await f.balancesOf(channel.receiver.address)).toEqual([450n]);
    });

    it('after a withdraw and a claim below it refunds everything not withdrawn', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      await withdraw(channel, 300n);
      const settleAt = await requestClose(channel, 0n);
      await f.chain.increaseTime(CHALLENGE_PERIOD + 1n);
      expect(await f.chain.latestTimestamp()).toBeGreaterThanOrEqual(settleAt);
      const receipt = await mined(f.manager.settle(channel.channelId));
      expect(events(receipt)).toEqual([settledEvent(channel, 300n, 0n, 700n)]);
    });

    it('reverts ChannelNotFound for an unknown channel and ChannelNotClosing for an open one', async () => {
      const channel = await f.openChannel();
      const unknown = id('unknown');
      await expectRevert(f.manager.settle(unknown), 'ChannelNotFound', [unknown]);
      await expectRevert(f.manager.settle(channel.channelId), 'ChannelNotClosing', [channel.channelId]);
    });
  });

  describe('receiverClose', () => {
    const receiverClose = async (channel: OpenChannel, balance: bigint) =>
      f.manager
        .connect(channel.receiver)
        .receiverClose(channel.channelId, balance, await f.balanceProof(channel, balance));

    it('settles an open channel at once with the sender proof', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      const [senderBefore] = await f.balancesOf(channel.sender.address);
      const receipt = await mined(receiverClose(channel, 600n));
      expect(events(receipt)).toEqual([settledEvent(channel, 600n, 600n, 400n)]);
      expect(await f.balancesOf(channel.receiver.address, channel.sender.address)).toEqual([
        600n,
        senderBefore! + 400n,
      ]);
      await expectDeleted(channel);
    });

    it('after a withdraw with the same proof pays nothing more and refunds the rest', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      await withdraw(channel, 400n);
      const receipt = await mined(receiverClose(channel, 400n));
      expect(events(receipt)).toEqual([settledEvent(channel, 400n, 0n, 600n)]);
      expect(await f.balancesOf(channel.receiver.address)).toEqual([400n]);
    });

    it('disputes a low claim one second before settleAt, paying by the proof', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      const settleAt = await requestClose(channel, 100n);
      const proof = await f.balanceProof(channel, 900n);
      const { receipt, revert } = await f.chain.sendAt(settleAt - 1n, (overrides) =>
        f.manager.connect(channel.receiver).receiverClose(channel.channelId, 900n, proof, overrides),
      );
      expect(revert).toBeUndefined();
      expect(events(receipt)).toEqual([settledEvent(channel, 900n, 900n, 100n)]);
      expect(await f.balancesOf(channel.receiver.address)).toEqual([900n]);
    });

    it('reverts ChallengePeriodOver exactly at settleAt, leaving settle as the only way out', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      const settleAt = await requestClose(channel, 100n);
      const proof = await f.balanceProof(channel, 900n);
      const late = await f.chain.sendAt(settleAt, (overrides) =>
        f.manager.connect(channel.receiver).receiverClose(channel.channelId, 900n, proof, overrides),
      );
      expect(late.receipt.status).toBe(0);
      expect({ name: late.revert?.name, args: late.revert?.args }).toEqual({
        name: 'ChallengePeriodOver',
        args: [settleAt],
      });
      const receipt = await mined(f.manager.settle(channel.channelId));
      expect(events(receipt)).toEqual([settledEvent(channel, 100n, 100n, 900n)]);
    });

    it('with a proof above the deposit settles at the deposit, after a withdraw too', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      await withdraw(channel, 300n);
      const receipt = await mined(receiverClose(channel, 4_000n));
      expect(events(receipt)).toEqual([settledEvent(channel, 1_000n, 700n, 0n)]);
      expect(await f.balancesOf(channel.receiver.address)).toEqual([1_000n]);
    });

    it('disputes a close with a proof above the deposit (a top-up reorged out), winning the whole deposit', async () => {
      const channel = await f.openChannel({ deposit: 500n });
      await requestClose(channel, 0n);
      const receipt = await mined(receiverClose(channel, 1_200n));
      expect(events(receipt)).toEqual([settledEvent(channel, 500n, 500n, 0n)]);
      expect(await f.balancesOf(channel.receiver.address)).toEqual([500n]);
    });

    it('reverts ChannelNotFound, NotReceiver and InvalidBalanceSignature', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      const unknown = id('unknown');
      const proof = await f.balanceProof(channel, 10n);
      await expectRevert(
        f.manager.connect(channel.receiver).receiverClose(unknown, 10n, proof),
        'ChannelNotFound',
        [unknown],
      );
      await expectRevert(
        f.manager.connect(channel.sender).receiverClose(channel.channelId, 10n, proof),
        'NotReceiver',
        [channel.sender.address],
      );
      await expectRevert(
        f.manager.connect(channel.receiver).receiverClose(channel.channelId, 11n, proof),
        'InvalidBalanceSignature',
      );
      await expectRevert(
        f.manager
          .connect(channel.receiver)
          .receiverClose(channel.channelId, 10n, await f.closingProof(channel, 10n)),
        'InvalidBalanceSignature',
      );
    });

    it('cannot replay a proof on a settled channel', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      const proof = await f.balanceProof(channel, 10n);
      await mined(f.manager.connect(channel.receiver).receiverClose(channel.channelId, 10n, proof));
      await expectRevert(
        f.manager.connect(channel.receiver).receiverClose(channel.channelId, 10n, proof),
        'ChannelNotFound',
        [channel.channelId],
      );
    });
  });
});
