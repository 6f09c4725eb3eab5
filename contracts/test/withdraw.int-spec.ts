import { Signature, concat, id } from 'ethers';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  closingProofTypes,
  channelManagerDomain,
  deployContracts,
  microTransferChannelsAbi,
} from '@microraiden/contracts';
import { deployChannelFixture, mined, type ChannelFixture, type OpenChannel } from './channel-fixture';
import { eventsOf } from './events';
import { expectRevert } from './revert';
import { malleate, signBalanceProof } from './sign-proofs';

describe('MicroTransferChannels: withdraw', () => {
  let f: ChannelFixture;

  beforeAll(async () => {
    f = await deployChannelFixture(inject('rpcUrl'));
  });

  const withdraw = (channel: OpenChannel, balance: bigint, signature: string) =>
    f.manager.connect(channel.receiver).withdraw(channel.channelId, balance, signature);

  it('withdraw pays the receiver the increment over what was withdrawn and keeps the channel open', async () => {
    const channel = await f.openChannel({ deposit: 1_000n });
    const [managerBefore] = await f.balancesOf(f.deployment.channelManager);

    const first = await mined(withdraw(channel, 300n, await f.balanceProof(channel, 300n)));
    expect(eventsOf(first, f.deployment.channelManager, microTransferChannelsAbi)).toEqual([
      {
        name: 'ChannelWithdrawn',
        args: [channel.channelId, channel.sender.address, channel.receiver.address, 300n, 300n],
      },
    ]);
    expect(await f.balancesOf(channel.receiver.address)).toEqual([300n]);

    const second = await mined(withdraw(channel, 700n, await f.balanceProof(channel, 700n)));
    expect(eventsOf(second, f.deployment.channelManager, microTransferChannelsAbi)).toEqual([
      {
        name: 'ChannelWithdrawn',
        args: [channel.channelId, channel.sender.address, channel.receiver.address, 400n, 700n],
      },
    ]);
    expect(await f.balancesOf(channel.receiver.address, f.deployment.channelManager)).toEqual([
      700n,
      managerBefore! - 700n,
    ]);
    expect([...(await f.manager.getChannel(channel.channelId))]).toEqual([
      channel.sender.address,
      channel.receiver.address,
      1_000n,
      700n,
      0n,
      0n,
    ]);
  });

  it('withdraw accepts the whole deposit', async () => {
    const channel = await f.openChannel({ deposit: 1_000n });
    await mined(withdraw(channel, 1_000n, await f.balanceProof(channel, 1_000n)));
    expect(await f.balancesOf(channel.receiver.address)).toEqual([1_000n]);
  });

  it('withdraw reverts ChannelNotFound for an unknown channel and for a settled one (proof replay)', async () => {
    const channel = await f.openChannel();
    const unknown = id('unknown');
    await expectRevert(
      f.manager.connect(channel.receiver).withdraw(unknown, 1n, await f.balanceProof(channel, 1n)),
      'ChannelNotFound',
      [unknown],
    );

    const proof = await f.balanceProof(channel, 500n);
    await mined(f.manager.connect(channel.receiver).receiverClose(channel.channelId, 500n, proof));
    await expectRevert(withdraw(channel, 500n, proof), 'ChannelNotFound', [channel.channelId]);
  });

  it('withdraw reverts NotReceiver for the sender or a stranger', async () => {
    const channel = await f.openChannel();
    const stranger = await f.newAccount();
    const proof = await f.balanceProof(channel, 10n);
    await expectRevert(
      f.manager.connect(channel.sender).withdraw(channel.channelId, 10n, proof),
      'NotReceiver',
      [channel.sender.address],
    );
    await expectRevert(f.manager.connect(stranger).withdraw(channel.channelId, 10n, proof), 'NotReceiver', [
      stranger.address,
    ]);
  });

  it('withdraw reverts ChannelIsClosing during the challenge period', async () => {
    const channel = await f.openChannel();
    await mined(f.manager.connect(channel.sender).uncooperativeClose(channel.channelId, 0n));
    await expectRevert(withdraw(channel, 10n, await f.balanceProof(channel, 10n)), 'ChannelIsClosing', [
      channel.channelId,
    ]);
  });

  it('withdraw with a balance above the deposit pays up to the deposit; the same proof pays the rest after a top-up', async () => {
    const channel = await f.openChannel({ deposit: 1_000n });
    const proof = await f.balanceProof(channel, 1_500n);
    const first = await mined(withdraw(channel, 1_500n, proof));
    expect(eventsOf(first, f.deployment.channelManager, microTransferChannelsAbi)).toEqual([
      {
        name: 'ChannelWithdrawn',
        args: [channel.channelId, channel.sender.address, channel.receiver.address, 1_000n, 1_000n],
      },
    ]);
    await expectRevert(withdraw(channel, 1_500n, proof), 'BalanceNotAboveWithdrawn', [1_000n, 1_000n]);
    await mined(f.manager.connect(channel.sender).topUp(channel.channelId, 1_000n));
    await mined(withdraw(channel, 1_500n, proof));
    expect(await f.balancesOf(channel.receiver.address)).toEqual([1_500n]);
    expect((await f.manager.getChannel(channel.channelId))[3]).toBe(1_500n);
  });

  it('withdraw reverts BalanceNotAboveWithdrawn for a zero balance, a replayed proof and an older proof', async () => {
    const channel = await f.openChannel();
    await expectRevert(withdraw(channel, 0n, await f.balanceProof(channel, 0n)), 'BalanceNotAboveWithdrawn', [
      0n,
      0n,
    ]);

    const older = await f.balanceProof(channel, 200n);
    const latest = await f.balanceProof(channel, 300n);
    await mined(withdraw(channel, 300n, latest));
    await expectRevert(withdraw(channel, 300n, latest), 'BalanceNotAboveWithdrawn', [300n, 300n]);
    await expectRevert(withdraw(channel, 200n, older), 'BalanceNotAboveWithdrawn', [200n, 300n]);
    expect(await f.balancesOf(channel.receiver.address)).toEqual([300n]);
  });

  describe('withdraw reverts InvalidBalanceSignature', () => {
    let channel: OpenChannel;

    beforeAll(async () => {
      channel = await f.openChannel({ deposit: 1_000n });
    });

    const rejects = async (signature: string, balance = 100n) =>
      expectRevert(withdraw(channel, balance, signature), 'InvalidBalanceSignature');

    it('for a proof signed by someone other than the sender', async () => {
      const stranger = await f.newAccount();
      await rejects(
        await signBalanceProof(stranger, f.domain, {
          channelId: channel.channelId,
          receiver: channel.receiver.address,
          balance: 100n,
        }),
      );
      await rejects(
        await signBalanceProof(channel.receiver, f.domain, {
          channelId: channel.channelId,
          receiver: channel.receiver.address,
          balance: 100n,
        }),
      );
    });

    it('for a proof naming another receiver', async () => {
      const other = await f.newAccount();
      await rejects(
        await signBalanceProof(channel.sender, f.domain, {
          channelId: channel.channelId,
          receiver: other.address,
          balance: 100n,
        }),
      );
    });

    it('for a proof of another balance', async () => {
      await rejects(await f.balanceProof(channel, 100n), 101n);
    });

    it('for a proof of another channel between the same pair', async () => {
      const sibling = await f.openChannel({ sender: channel.sender, receiver: channel.receiver });
      await rejects(await f.balanceProof(sibling, 100n));
    });

    it('for a proof signed for another channel manager', async () => {
      const otherManager = await deployContracts(f.deployer, {
        challengePeriod: 3600,
        token: f.deployment.token,
      });
      await rejects(await f.balanceProof(channel, 100n, { verifyingContract: otherManager.channelManager }));
    });

    it('for a proof signed for another chain id', async () => {
      await rejects(await f.balanceProof(channel, 100n, { chainId: 1n }));
    });

    it('for a proof signed under another domain name or version', async () => {
      await rejects(await f.balanceProof(channel, 100n, { name: 'RaidenMicroTransferChannels' }));
      await rejects(await f.balanceProof(channel, 100n, { version: '2' }));
    });

    it('for a closing proof (another type) signed by the sender', async () => {
      const wrongType = await channel.sender.signTypedData(
        channelManagerDomain(f.chain.chainId, f.deployment.channelManager),
        closingProofTypes,
        { channelId: channel.channelId, sender: channel.receiver.address, balance: 100n },
      );
      await rejects(wrongType);
    });

    it('for the malleable (high-s) twin of a valid proof', async () => {
      const valid = await f.balanceProof(channel, 100n);
      await rejects(malleate(valid));
    });

    it('for signatures of the wrong length, including the EIP-2098 compact form', async () => {
      const valid = await f.balanceProof(channel, 100n);
      await rejects(Signature.from(valid).compactSerialized);
      await rejects(concat([valid, '0x00']));
      await rejects('0x');
    });

    it('and accepts the untouched proof afterwards', async () => {
      await mined(withdraw(channel, 100n, await f.balanceProof(channel, 100n)));
      expect((await f.manager.getChannel(channel.channelId))[3]).toBe(100n);
    });
  });
});
