import { AbiCoder, ZeroAddress, concat, id, zeroPadValue, type Wallet } from 'ethers';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  deployContracts,
  encodeCreateChannelData,
  encodeTopUpData,
  microTokenAt,
  microTransferChannelsAbi,
  type MicroTokenContract,
} from '@microraiden/contracts';
import { deployChannelFixture, mined, type ChannelFixture } from './channel-fixture';
import { eventsOf } from './events';
import { expectRevert } from './revert';

/** The two single-transaction deposit paths: ERC-1363 transferAndCall and ERC-223 transfer with data. */
const flavours = [
  {
    name: 'ERC-1363 transferAndCall',
    send: (token: MicroTokenContract, to: string, value: bigint, data: string) =>
      token['transferAndCall(address,uint256,bytes)'](to, value, data),
  },
  {
    name: 'ERC-223 transfer with data',
    send: (token: MicroTokenContract, to: string, value: bigint, data: string) =>
      token['transfer(address,uint256,bytes)'](to, value, data),
  },
] as const;

describe('MicroTransferChannels: token callbacks', () => {
  let f: ChannelFixture;

  beforeAll(async () => {
    f = await deployChannelFixture(inject('rpcUrl'));
  });

  describe.each(flavours)('$name', ({ send }) => {
    const sendAs = (sender: Wallet, value: bigint, data: string) =>
      send(f.token.connect(sender), f.deployment.channelManager, value, data);

    it('creates a channel for the token holder in one transaction', async () => {
      const sender = await f.fundedSender(2_000n);
      const receiver = await f.newAccount();
      const [managerBefore] = await f.balancesOf(f.deployment.channelManager);

      const receipt = await mined(sendAs(sender, 1_500n, encodeCreateChannelData(receiver.address)));

      const channelId = await f.manager.channelIdOf(sender.address, receiver.address, 0n);
      expect(eventsOf(receipt, f.deployment.channelManager, microTransferChannelsAbi)).toEqual([
        { name: 'ChannelCreated', args: [channelId, sender.address, receiver.address, 1_500n] },
      ]);
      expect([...(await f.manager.getChannel(channelId))]).toEqual([
        sender.address,
        receiver.address,
        1_500n,
        0n,
        0n,
        0n,
      ]);
      expect(await f.manager.channelNonce(sender.address)).toBe(1n);
      expect(await f.balancesOf(sender.address, f.deployment.channelManager)).toEqual([
        500n,
        managerBefore! + 1_500n,
      ]);
    });

    it('tops up a channel of the token holder', async () => {
      const channel = await f.openChannel({ deposit: 1_000n });
      const receipt = await mined(sendAs(channel.sender, 300n, encodeTopUpData(channel.channelId)));
      expect(eventsOf(receipt, f.deployment.channelManager, microTransferChannelsAbi)).toEqual([
        {
          name: 'ChannelToppedUp',
          args: [channel.channelId, channel.sender.address, channel.receiver.address, 300n, 1_300n],
        },
      ]);
    });

    it('rejects malformed data with InvalidTransferData and moves no tokens', async () => {
      const sender = await f.fundedSender(1_000n);
      const receiver = (await f.newAccount()).address;
      const abi = AbiCoder.defaultAbiCoder();
      const malformed = [
        '0x',
        encodeCreateChannelData(receiver).slice(0, -2),
        concat([encodeCreateChannelData(receiver), '0x00']),
        abi.encode(['uint8', 'bytes32'], [0, zeroPadValue(receiver, 32)]),
        abi.encode(['uint8', 'bytes32'], [3, zeroPadValue(receiver, 32)]),
        abi.encode(['uint256', 'bytes32'], [256n + 1n, zeroPadValue(receiver, 32)]),
        abi.encode(['uint8', 'bytes32'], [1, concat(['0x000000000000000000000001', receiver])]),
      ];
      for (const data of malformed) {
        await expectRevert(sendAs(sender, 100n, data), 'InvalidTransferData');
      }
      expect(await f.balancesOf(sender.address)).toEqual([1_000n]);
    });

    it('applies the createChannel checks to the holder as sender', async () => {
      const sender = await f.fundedSender(1_000n);
      await expectRevert(sendAs(sender, 100n, encodeCreateChannelData(ZeroAddress)), 'InvalidReceiver', [
        ZeroAddress,
      ]);
      await expectRevert(sendAs(sender, 100n, encodeCreateChannelData(sender.address)), 'InvalidReceiver', [
        sender.address,
      ]);
      await expectRevert(
        sendAs(sender, 0n, encodeCreateChannelData((await f.newAccount()).address)),
        'ZeroAmount',
      );
    });

    it('applies the topUp checks to the holder as sender', async () => {
      const channel = await f.openChannel();
      const stranger = await f.fundedSender(1_000n);
      const unknown = id('unknown');
      await expectRevert(sendAs(channel.sender, 1n, encodeTopUpData(unknown)), 'ChannelNotFound', [unknown]);
      await expectRevert(sendAs(stranger, 1n, encodeTopUpData(channel.channelId)), 'NotSender', [
        stranger.address,
      ]);
      await expectRevert(sendAs(channel.sender, 0n, encodeTopUpData(channel.channelId)), 'ZeroAmount');
      await mined(f.manager.connect(channel.sender).uncooperativeClose(channel.channelId, 0n));
      await expectRevert(sendAs(channel.sender, 1n, encodeTopUpData(channel.channelId)), 'ChannelIsClosing', [
        channel.channelId,
      ]);
    });

    it('reverts UnsupportedToken for the same transfer made with another token', async () => {
      const other = await deployContracts(f.deployer, { challengePeriod: 3600 });
      const otherToken = microTokenAt(other.token, f.deployer);
      const holder = await f.newAccount();
      await mined(otherToken.mint(holder.address, 1_000n));
      await expectRevert(
        send(
          otherToken.connect(holder),
          f.deployment.channelManager,
          100n,
          encodeCreateChannelData(ZeroAddress),
        ),
        'UnsupportedToken',
        [other.token],
      );
    });
  });

  it('ERC-1363 transferFromAndCall by an operator opens the channel for the token owner', async () => {
    const owner = await f.fundedSender(1_000n);
    const operator = await f.newAccount();
    const receiver = await f.newAccount();
    await mined(f.token.connect(owner).approve(operator.address, 400n));

    await mined(
      f.token
        .connect(operator)
        ['transferFromAndCall(address,address,uint256,bytes)'](
          owner.address,
          f.deployment.channelManager,
          400n,
          encodeCreateChannelData(receiver.address),
        ),
    );

    const channelId = await f.manager.channelIdOf(owner.address, receiver.address, 0n);
    expect((await f.manager.getChannel(channelId))[0]).toBe(owner.address);
    expect(await f.manager.channelNonce(operator.address)).toBe(0n);
  });

  it('onTransferReceived and tokenReceived revert UnsupportedToken when called directly', async () => {
    const caller = await f.newAccount();
    const data = encodeCreateChannelData((await f.newAccount()).address);
    const asCaller = f.manager.connect(caller);
    await expectRevert(
      asCaller.onTransferReceived(caller.address, caller.address, 1_000n, data),
      'UnsupportedToken',
      [caller.address],
    );
    await expectRevert(asCaller.tokenReceived(caller.address, 1_000n, data), 'UnsupportedToken', [
      caller.address,
    ]);
    expect(await f.manager.channelNonce(caller.address)).toBe(0n);
  });
});
