import { AbiCoder, getAddress } from 'ethers';
import { describe, expect, it } from 'vitest';
import { computeChannelId } from './channel-id';
import { encodeCreateChannelData, encodeTopUpData } from './transfer-data';

const receiver = getAddress('0x00000000000000000000000000000000000000aa');

describe('token callback data', () => {
  it('is abi.encode(uint8 action, bytes32 arg): 64 bytes, receiver left-padded for a create', () => {
    const data = encodeCreateChannelData(receiver);
    expect(data.length).toBe(2 + 128);
    const [action, arg] = AbiCoder.defaultAbiCoder().decode(['uint8', 'bytes32'], data);
    expect(action).toBe(1n);
    expect(arg).toBe(`0x${'0'.repeat(62)}aa`);
  });

  it('carries the channel id for a top-up', () => {
    const channelId = `0x${'ab'.repeat(32)}`;
    expect(
      AbiCoder.defaultAbiCoder().decode(['uint8', 'bytes32'], encodeTopUpData(channelId)).toArray(),
    ).toEqual([2n, channelId]);
  });
});

describe('computeChannelId', () => {
  it('changes with every component, so ids never collide across chains, contracts or nonces', () => {
    const base = {
      chainId: 31337n,
      channelManager: getAddress('0x00000000000000000000000000000000000000c0'),
      sender: getAddress('0x00000000000000000000000000000000000000b0'),
      receiver,
      nonce: 0n,
    };
    const ids = new Set([
      computeChannelId(base),
      computeChannelId({ ...base, chainId: 1n }),
      computeChannelId({ ...base, channelManager: receiver }),
      computeChannelId({ ...base, sender: receiver, receiver: base.sender }),
      computeChannelId({ ...base, nonce: 1n }),
    ]);
    expect(ids.size).toBe(5);
  });
});
