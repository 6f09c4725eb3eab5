import { AbiCoder, keccak256 } from 'ethers';
import { describe, expect, it } from 'vitest';
import { channelIdOf } from './channel-id';
import {
  CHAIN_ID,
  CHANNEL_MANAGER,
  propertySeed,
  RECEIVER,
  SENDER,
  seededRandom,
  thrownCode,
} from './test/builders';

describe('channelIdOf', () => {
  it('matches the fixed vector (anvil, nonce 0)', () => {
    expect(
      channelIdOf({
        chainId: CHAIN_ID,
        channelManager: CHANNEL_MANAGER,
        sender: SENDER,
        receiver: RECEIVER,
        nonce: 0n,
      }),
    ).toBe('0xa011aa0cd38ce04ee3477b0e1794239b24f47394eb55015d51eb15309e28488f');
  });

  it('equals keccak256(abi.encode(chainId, manager, sender, receiver, nonce)) for random inputs', () => {
    const seed = propertySeed();
    const rnd = seededRandom(seed);
    for (let i = 0; i < 100; i++) {
      const input = {
        chainId: 1n + (rnd.uint(53) % (2n ** 53n - 1n)),
        channelManager: rnd.hex(20),
        sender: rnd.hex(20),
        receiver: rnd.hex(20),
        nonce: rnd.uint(256),
      };
      const expected = keccak256(
        AbiCoder.defaultAbiCoder().encode(
          ['uint256', 'address', 'address', 'address', 'uint256'],
          [input.chainId, input.channelManager, input.sender, input.receiver, input.nonce],
        ),
      );
      expect(channelIdOf(input), `seed ${seed} i ${i}`).toBe(expected);
    }
  });

  it('gives a new id per nonce', () => {
    const base = { chainId: CHAIN_ID, channelManager: CHANNEL_MANAGER, sender: SENDER, receiver: RECEIVER };
    expect(channelIdOf({ ...base, nonce: 0n })).not.toBe(channelIdOf({ ...base, nonce: 1n }));
  });

  it('throws INVALID_ARGUMENT for bad inputs', () => {
    const base = {
      chainId: CHAIN_ID,
      channelManager: CHANNEL_MANAGER,
      sender: SENDER,
      receiver: RECEIVER,
      nonce: 0n,
    };
    expect(thrownCode(() => channelIdOf({ ...base, nonce: -1n }))).toBe('INVALID_ARGUMENT');
    expect(thrownCode(() => channelIdOf({ ...base, chainId: 0n }))).toBe('INVALID_ARGUMENT');
    expect(thrownCode(() => channelIdOf({ ...base, sender: '0x12' }))).toBe('INVALID_ARGUMENT');
  });
});
