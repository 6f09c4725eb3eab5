import { microTokenAbi, microTransferChannelsAbi } from '@microraiden/contracts';
import { AbiCoder, Interface } from 'ethers';
import { describe, expect, it } from 'vitest';
import { addressWord, bytes32Word, decodeString, decodeWords, encodeCall, selector, uintWord } from './abi';
import { CHANNEL_CREATED_TOPIC } from './paywall-wallet';

const channels = new Interface(microTransferChannelsAbi);
const token = new Interface(microTokenAbi);
const receiver = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const channelId = `0x${'ab'.repeat(32)}`;

describe('the paywall page ABI helpers', () => {
  it('compute the selectors and event topic of the contracts', () => {
    for (const name of ['createChannel', 'createChannelWithPermit', 'getChannel'] as const) {
      const fn = channels.getFunction(name)!;
      expect(selector(fn.format('sighash'))).toBe(fn.selector.slice(2));
    }
    for (const name of [
      'approve',
      'balanceOf',
      'decimals',
      'symbol',
      'name',
      'nonces',
      'DOMAIN_SEPARATOR',
    ] as const) {
      const fn = token.getFunction(name)!;
      expect(selector(fn.format('sighash'))).toBe(fn.selector.slice(2));
    }
    expect(CHANNEL_CREATED_TOPIC).toBe(channels.getEvent('ChannelCreated')!.topicHash);
  });

  it('encode calls as ethers does', () => {
    expect(encodeCall('createChannel(address,uint256)', [addressWord(receiver), uintWord(10n)])).toBe(
      channels.encodeFunctionData('createChannel', [receiver, 10n]),
    );
    const permit = [
      receiver,
      5n,
      1_800_000_000n,
      27,
      `0x${'11'.repeat(32)}`,
      `0x${'22'.repeat(32)}`,
    ] as const;
    expect(
      encodeCall('createChannelWithPermit(address,uint256,uint256,uint8,bytes32,bytes32)', [
        addressWord(receiver),
        uintWord(5n),
        uintWord(1_800_000_000n),
        uintWord(27n),
        '11'.repeat(32),
        '22'.repeat(32),
      ]),
    ).toBe(channels.encodeFunctionData('createChannelWithPermit', [...permit]));
    expect(encodeCall('getChannel(bytes32)', [bytes32Word(channelId)])).toBe(
      channels.encodeFunctionData('getChannel', [channelId]),
    );
  });

  it('decode words and an ERC-20 string as ethers encodes them', () => {
    expect(decodeWords(AbiCoder.defaultAbiCoder().encode(['uint8', 'uint256'], [18, 7n]))).toEqual([18n, 7n]);
    expect(decodeString(token.encodeFunctionResult('symbol', ['MTK']))).toBe('MTK');
    expect(decodeString(token.encodeFunctionResult('name', ['MicroToken']))).toBe('MicroToken');
  });

  it.each([['0x12'], [42], ['0xzz'.padEnd(66, '0')]])('refuses malformed return data %j', (data) => {
    expect(() => decodeWords(data)).toThrow('bad return data');
  });

  it('refuses what is not a uint256, an address or a bytes32', () => {
    expect(() => uintWord(-1n)).toThrow();
    expect(() => uintWord(1n << 256n)).toThrow();
    expect(() => addressWord('0x1234')).toThrow();
    expect(() => bytes32Word('0x1234')).toThrow();
  });
});
