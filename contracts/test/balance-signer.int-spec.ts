import { ZeroAddress, type Wallet } from 'ethers';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { microTransferChannelsAbi } from '@microraiden/contracts';
import { deployChannelFixture, mined, type ChannelFixture, type OpenChannel } from './channel-fixture';
import { eventsOf } from './events';
import { expectRevert } from './revert';
import { signBalanceProof, signClosingProof } from './sign-proofs';

/** A channel whose balance proofs a session key may sign too. */
interface SignerChannel extends OpenChannel {
  sessionKey: Wallet;
}

describe('MicroTransferChannels: balance signers (session keys)', () => {
  let f: ChannelFixture;

  beforeAll(async () => {
    f = await deployChannelFixture(inject('rpcUrl'));
  });

  const events = (receipt: Awaited<ReturnType<typeof mined>>) =>
    eventsOf(receipt, f.deployment.channelManager, microTransferChannelsAbi);

  const openWithSigner = async (deposit = 1_000n): Promise<SignerChannel> => {
    const sender = await f.fundedSender();
    const receiver = await f.newAccount();
    const sessionKey = await f.newAccount();
    const receipt = await mined(
      f.manager.connect(sender).createChannelWithSigner(receiver.address, deposit, sessionKey.address),
    );
    const channelId = await f.manager.channelIdOf(sender.address, receiver.address, 0n);
    return { channelId, sender, receiver, deposit, receipt, sessionKey };
  };

  /** `signer`'s balance proof for `balance` on `channel`. */
  const proofBy = (signer: Wallet, channel: OpenChannel, balance: bigint) =>
    signBalanceProof(signer, f.domain, {
      channelId: channel.channelId,
      receiver: channel.receiver.address,
      balance,
    });

  it('createChannelWithSigner escrows the deposit and emits ChannelCreated, then ChannelSignerSet', async () => {
    const channel = await openWithSigner(700n);
    expect(events(channel.receipt)).toEqual([
      {
        name: 'ChannelCreated',
        args: [channel.channelId, channel.sender.address, channel.receiver.address, 700n],
      },
      { name: 'ChannelSignerSet', args: [channel.channelId, channel.sessionKey.address] },
    ]);
    expect(await f.manager.balanceSignerOf(channel.channelId)).toBe(channel.sessionKey.address);
    // getChannel's shape is unchanged.
    expect([...(await f.manager.getChannel(channel.channelId))]).toEqual([
      channel.sender.address,
      channel.receiver.address,
      700n,
      0n,
      0n,
      0n,
    ]);
  });

  it('createChannelWithPermitAndSigner opens with a permit alone (no prior approval) and sets the signer', async () => {
    const sender = await f.newAccount();
    await mined(f.token.mint(sender.address, 500n));
    const receiver = await f.newAccount();
    const sessionKey = await f.newAccount();
    const { params, sig } = await f.permit(sender, 500n);
    const receipt = await mined(
      f.manager
        .connect(sender)
        .createChannelWithPermitAndSigner(
          receiver.address,
          500n,
          sessionKey.address,
          params.deadline,
          sig.v,
          sig.r,
          sig.s,
        ),
    );
    const channelId = await f.manager.channelIdOf(sender.address, receiver.address, 0n);
    expect(events(receipt).map((e) => e.name)).toEqual(['ChannelCreated', 'ChannelSignerSet']);
    expect(await f.manager.balanceSignerOf(channelId)).toBe(sessionKey.address);
    expect(await f.balancesOf(sender.address)).toEqual([0n]);
  });

  it('refuses the zero address, the receiver and the manager as signer (InvalidSigner), with or without permit', async () => {
    const sender = await f.fundedSender();
    const receiver = await f.newAccount();
    const asSender = f.manager.connect(sender);
    for (const signer of [ZeroAddress, receiver.address, f.deployment.channelManager]) {
      await expectRevert(asSender.createChannelWithSigner(receiver.address, 10n, signer), 'InvalidSigner', [
        signer,
      ]);
      const { params, sig } = await f.permit(sender, 10n);
      await expectRevert(
        asSender.createChannelWithPermitAndSigner(
          receiver.address,
          10n,
          signer,
          params.deadline,
          sig.v,
          sig.r,
          sig.s,
        ),
        'InvalidSigner',
        [signer],
      );
    }
    expect(await f.manager.channelNonce(sender.address)).toBe(0n);
  });

  it('withdraw accepts the signer’s proof and the sender’s, and refuses any other key’s', async () => {
    const channel = await openWithSigner();
    const stranger = await f.newAccount();
    const asReceiver = f.manager.connect(channel.receiver);
    await mined(
      asReceiver.withdraw(channel.channelId, 100n, await proofBy(channel.sessionKey, channel, 100n)),
    );
    await mined(asReceiver.withdraw(channel.channelId, 250n, await proofBy(channel.sender, channel, 250n)));
    await expectRevert(
      asReceiver.withdraw(channel.channelId, 300n, await proofBy(stranger, channel, 300n)),
      'InvalidBalanceSignature',
    );
    // The receiver cannot pay itself with its own signature.
    await expectRevert(
      asReceiver.withdraw(channel.channelId, 300n, await proofBy(channel.receiver, channel, 300n)),
      'InvalidBalanceSignature',
    );
    expect((await f.manager.getChannel(channel.channelId))[3]).toBe(250n);
  });

  it('a signer is bound to its channel: its proof for another channel of the same sender is refused', async () => {
    const channel = await openWithSigner();
    const plain = await f.openChannel({ sender: channel.sender });
    expect(await f.manager.balanceSignerOf(plain.channelId)).toBe(ZeroAddress);
    await expectRevert(
      f.manager
        .connect(plain.receiver)
        .withdraw(plain.channelId, 10n, await proofBy(channel.sessionKey, plain, 10n)),
      'InvalidBalanceSignature',
    );
  });

  it('cooperativeClose settles on the signer’s balance proof and the receiver’s closing proof', async () => {
    const channel = await openWithSigner(1_000n);
    const closingSig = await signClosingProof(channel.receiver, f.domain, {
      channelId: channel.channelId,
      sender: channel.sender.address,
      balance: 400n,
    });
    const [senderBefore] = await f.balancesOf(channel.sender.address);
    const receipt = await mined(
      f.manager.cooperativeClose(
        channel.channelId,
        400n,
        await proofBy(channel.sessionKey, channel, 400n),
        closingSig,
      ),
    );
    expect(events(receipt).map((e) => e.name)).toEqual(['ChannelSettled']);
    expect(await f.balancesOf(channel.receiver.address, channel.sender.address)).toEqual([
      400n,
      senderBefore! + 600n,
    ]);
    // The id is dead: its signer is no longer reported.
    expect(await f.manager.balanceSignerOf(channel.channelId)).toBe(ZeroAddress);
  });

  it('receiverClose disputes an uncooperative close with the signer’s proof', async () => {
    const channel = await openWithSigner(1_000n);
    await mined(f.manager.connect(channel.sender).uncooperativeClose(channel.channelId, 10n));
    const stranger = await f.newAccount();
    const asReceiver = f.manager.connect(channel.receiver);
    await expectRevert(
      asReceiver.receiverClose(channel.channelId, 900n, await proofBy(stranger, channel, 900n)),
      'InvalidBalanceSignature',
    );
    await mined(
      asReceiver.receiverClose(channel.channelId, 900n, await proofBy(channel.sessionKey, channel, 900n)),
    );
    expect(await f.balancesOf(channel.receiver.address)).toEqual([900n]);
  });

  it('the signer can spend at most the deposit: a proof above it is worth the deposit', async () => {
    const channel = await openWithSigner(300n);
    await mined(
      f.manager
        .connect(channel.receiver)
        .receiverClose(channel.channelId, 10_000n, await proofBy(channel.sessionKey, channel, 10_000n)),
    );
    expect(await f.balancesOf(channel.receiver.address)).toEqual([300n]);
  });
});
