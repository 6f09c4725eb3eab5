import { TypedDataEncoder, id } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  channelDomain,
  domainSeparatorBytes,
  EIP712_DOMAIN_TYPEHASH,
  typedDataDomain,
  type ChannelDomain,
} from './eip712-domain';
import { bytesToHex } from './hex';
import { CHAIN_ID, CHANNEL_MANAGER, propertySeed, seededRandom, thrownCode } from './test/builders';

describe('channelDomain', () => {
  it('matches the fixed vector for anvil (31337, first deployed contract)', () => {
    // Computed once with ethers TypedDataEncoder.hashDomain; a change here breaks every deployed signature.
    expect(EIP712_DOMAIN_TYPEHASH).toBe('0x8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f');
    expect(channelDomain(CHAIN_ID, CHANNEL_MANAGER).separator).toBe(
      '0xaa87087b705be969798b51ec1302d6fe4444ff59115fa910bf0b8b017beb7b25',
    );
  });

  it('agrees with ethers for random chain ids and contracts', () => {
    const seed = propertySeed();
    const rnd = seededRandom(seed);
    for (let i = 0; i < 50; i++) {
      const chainId = 1n + (rnd.uint(53) % (2n ** 53n - 1n));
      const contract = rnd.hex(20);
      const domain = channelDomain(chainId, contract);
      const expected = TypedDataEncoder.hashDomain(typedDataDomain(domain));
      expect(domain.separator, `seed ${seed} i ${i}`).toBe(expected);
      expect(bytesToHex(domainSeparatorBytes(domain))).toBe(expected);
    }
  });

  it('uses the EIP712Domain typehash of the agreed four fields', () => {
    expect(EIP712_DOMAIN_TYPEHASH).toBe(
      id('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'),
    );
  });

  it('caches one frozen object per (chainId, contract) whatever the address case', () => {
    const a = channelDomain(CHAIN_ID, CHANNEL_MANAGER);
    expect(channelDomain(CHAIN_ID, CHANNEL_MANAGER.toLowerCase())).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(a.verifyingContract).toBe(CHANNEL_MANAGER);
    expect(channelDomain(1n, CHANNEL_MANAGER)).not.toBe(a);
  });

  it('computes the separator of a hand-built domain instead of trusting its separator field', () => {
    const forged: ChannelDomain = { ...channelDomain(CHAIN_ID, CHANNEL_MANAGER), separator: '0x00' };
    expect(bytesToHex(domainSeparatorBytes(forged))).toBe(channelDomain(CHAIN_ID, CHANNEL_MANAGER).separator);
  });

  it.each([
    ['chain id 0', 0n, CHANNEL_MANAGER],
    ['negative chain id', -1n, CHANNEL_MANAGER],
    ['chain id above 2^53-1', 2n ** 53n, CHANNEL_MANAGER],
    ['number chain id', 31337 as unknown as bigint, CHANNEL_MANAGER],
    ['short contract', CHAIN_ID, '0x1234'],
    ['bad checksum', CHAIN_ID, '0x5fbDB2315678afecb367f032d93F642f64180aa3'],
    ['zero contract', CHAIN_ID, '0x0000000000000000000000000000000000000000'],
  ])('throws INVALID_ARGUMENT for %s', (_name, chainId, contract) => {
    expect(thrownCode(() => channelDomain(chainId, contract))).toBe('INVALID_ARGUMENT');
  });
});
