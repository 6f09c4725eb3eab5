import { TypedDataEncoder } from 'ethers';
import { describe, expect, it } from 'vitest';
import { hashTypedDataDomain } from './typed-data-domain-hash';
import { CHAIN_ID, TOKEN, propertySeed, seededRandom, thrownCode } from './test/builders';

describe('hashTypedDataDomain', () => {
  it('agrees with ethers for an EIP-2612 token domain (name, version "1")', () => {
    const domain = { name: 'Micro Token', version: '1', chainId: CHAIN_ID, verifyingContract: TOKEN };
    expect(hashTypedDataDomain(domain)).toBe(TypedDataEncoder.hashDomain(domain));
  });

  it('agrees with ethers for random names, versions, chain ids and contracts', () => {
    const seed = propertySeed();
    const rnd = seededRandom(seed);
    for (let i = 0; i < 50; i++) {
      const domain = {
        name: `Tok€n ${rnd.hex(3)}`,
        version: i % 2 === 0 ? '1' : rnd.hex(2),
        chainId: rnd.uint(i % 2 === 0 ? 64 : 256),
        verifyingContract: rnd.hex(20),
      };
      expect(hashTypedDataDomain(domain), `seed ${seed} i ${i}`).toBe(TypedDataEncoder.hashDomain(domain));
    }
  });

  it('refuses a chain id outside uint256 and a malformed contract', () => {
    const domain = { name: 'T', version: '1', chainId: CHAIN_ID, verifyingContract: TOKEN };
    expect(thrownCode(() => hashTypedDataDomain({ ...domain, chainId: -1n }))).toBe('INVALID_ARGUMENT');
    expect(thrownCode(() => hashTypedDataDomain({ ...domain, verifyingContract: '0x1234' }))).toBe(
      'INVALID_ARGUMENT',
    );
  });
});
