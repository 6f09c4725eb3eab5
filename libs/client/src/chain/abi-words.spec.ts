import { microTokenAbi, microTransferChannelsAbi } from '@microraiden/contracts';
import { AbiCoder, Interface } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  addressWord,
  bytes32Word,
  decodeStringAt,
  decodeWords,
  encodeCall,
  selector,
  uintWord,
  wordToAddress,
} from './abi-words';
import { CHANNEL_CREATED_TOPIC } from './eip1193-chain';

const channels = new Interface(microTransferChannelsAbi);
const token = new Interface(microTokenAbi);
const receiver = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const channelId = `0x${'ab'.repeat(32)}`;

describe('the ABI words of a wallet-only sender (checked against ethers)', () => {
  it('computes the selectors and the event topic of the contracts', () => {
    for (const name of ['createChannel', 'createChannelWithPermit', 'getChannel'] as const) {
      const fn = channels.getFunction(name)!;
      expect(selector(fn.format('sighash'))).toBe(fn.selector.slice(2));
    }
    const tokenFunctions = [
      'approve',
      'balanceOf',
      'decimals',
      'symbol',
      'name',
      'nonces',
      'DOMAIN_SEPARATOR',
      'eip712Domain',
    ] as const;
    for (const name of tokenFunctions) {
      const fn = token.getFunction(name)!;
      expect(selector(fn.format('sighash'))).toBe(fn.selector.slice(2));
    }
    expect(CHANNEL_CREATED_TOPIC).toBe(channels.getEvent('ChannelCreated')!.topicHash);
  });

  it('encodes calls as ethers does', () => {
    expect(encodeCall('createChannel(address,uint256)', [addressWord(receiver), uintWord(10n)])).toBe(
      channels.encodeFunctionData('createChannel', [receiver, 10n]),
    );
    const r = `0x${'11'.repeat(32)}`;
    const s = `0x${'22'.repeat(32)}`;
    expect(
      encodeCall('createChannelWithPermit(address,uint256,uint256,uint8,bytes32,bytes32)', [
        addressWord(receiver),
        uintWord(5n),
        uintWord(1_800_000_000n),
        uintWord(27n),
        bytes32Word(r),
        bytes32Word(s),
      ]),
    ).toBe(channels.encodeFunctionData('createChannelWithPermit', [receiver, 5n, 1_800_000_000n, 27, r, s]));
    expect(encodeCall('getChannel(bytes32)', [bytes32Word(channelId)])).toBe(
      channels.encodeFunctionData('getChannel', [channelId]),
    );
  });

  it('decodes words, addresses and strings as ethers encodes them', () => {
    expect(decodeWords(AbiCoder.defaultAbiCoder().encode(['uint8', 'uint256'], [18, 7n]))).toEqual([18n, 7n]);
    expect(decodeStringAt(token.encodeFunctionResult('symbol', ['MTK']))).toBe('MTK');
    expect(decodeStringAt(token.encodeFunctionResult('name', ['Micro Töken']))).toBe('Micro Töken');
    const domain = token.encodeFunctionResult('eip712Domain', [
      '0x0f',
      'MicroToken',
      '1',
      31337n,
      receiver,
      `0x${'00'.repeat(32)}`,
      [],
    ]);
    expect([decodeStringAt(domain, 1), decodeStringAt(domain, 2)]).toEqual(['MicroToken', '1']);
    expect(wordToAddress(decodeWords(domain)[4]!)).toBe(receiver.toLowerCase());
  });

  it.each([['0x12'], [42], [`0x${'zz'.repeat(32)}`]])('refuses malformed return data %j', (data) => {
    expect(() => decodeWords(data)).toThrow('bad return data');
  });

  it('refuses strings whose offset or length points outside the data', () => {
    const word = (n: bigint) => uintWord(n);
    expect(() => decodeStringAt(`0x${word(64n)}${word(3n)}`)).toThrow('bad string return data');
    expect(() => decodeStringAt(`0x${word(32n)}${word(40n)}${'00'.repeat(32)}`)).toThrow('bad string');
    expect(() => decodeStringAt(`0x${word(32n)}${word(2000n)}`)).toThrow('bad string');
  });

  it('refuses what is not a uint256, an address or a bytes32', () => {
    expect(() => uintWord(-1n)).toThrow();
    expect(() => uintWord(1n << 256n)).toThrow();
    expect(() => addressWord('0x1234')).toThrow();
    expect(() => bytes32Word('0x1234')).toThrow();
  });
});
