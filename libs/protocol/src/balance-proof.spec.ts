import { TypedDataEncoder, id } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  BALANCE_PROOF_TYPE,
  BALANCE_PROOF_TYPEHASH,
  BALANCE_PROOF_TYPES,
  balanceProofDigest,
  hashBalanceProof,
} from './balance-proof';
import { channelDomain, typedDataDomain } from './eip712-domain';
import { bytesToHex } from './hex';
import { UINT256_MAX } from './uint256';
import { aBalanceProof, aDomain, propertySeed, seededRandom, thrownCode } from './test/builders';

const ethersTypes = { BalanceProof: [...BALANCE_PROOF_TYPES.BalanceProof] };

describe('BalanceProof digest', () => {
  it('has the agreed type string and type hash', () => {
    expect(BALANCE_PROOF_TYPE).toBe('BalanceProof(bytes32 channelId,address receiver,uint256 balance)');
    expect(BALANCE_PROOF_TYPEHASH).toBe('0xd866594afdbc115cce18007809bf969d874c05ecc222084495ea385d7f45c8f5');
    expect(BALANCE_PROOF_TYPEHASH).toBe(id(BALANCE_PROOF_TYPE));
    expect(TypedDataEncoder.from(ethersTypes).encodeType('BalanceProof')).toBe(BALANCE_PROOF_TYPE);
  });

  it('matches the fixed vector computed with ethers', () => {
    expect(hashBalanceProof(aDomain(), aBalanceProof())).toBe(
      '0x3cb97c42ea5054ad166ff7934354ac276c3f9efe789ef0243827354d4dec01e5',
    );
  });

  it('agrees with ethers TypedDataEncoder.hash on 250 random proofs and domains', () => {
    const seed = propertySeed();
    const rnd = seededRandom(seed);
    for (let i = 0; i < 250; i++) {
      const domain = channelDomain(1n + (rnd.uint(53) % (2n ** 53n - 1n)), rnd.hex(20));
      const proof = { channelId: rnd.hex(32), receiver: rnd.hex(20), balance: rnd.uint(256) };
      const expected = TypedDataEncoder.hash(typedDataDomain(domain), ethersTypes, proof);
      expect(bytesToHex(balanceProofDigest(domain, proof)), `seed ${seed} i ${i}`).toBe(expected);
    }
  });

  it('encodes the balance bounds 0 and 2^256-1 like ethers', () => {
    for (const balance of [0n, 1n, 2n ** 64n, 2n ** 128n - 1n, UINT256_MAX]) {
      const proof = aBalanceProof({ balance });
      expect(hashBalanceProof(aDomain(), proof)).toBe(
        TypedDataEncoder.hash(typedDataDomain(aDomain()), ethersTypes, proof),
      );
    }
  });

  it('binds every field: changing any one changes the digest', () => {
    const base = hashBalanceProof(aDomain(), aBalanceProof());
    expect(hashBalanceProof(aDomain(), aBalanceProof({ balance: 3_000_000_000_000_001n }))).not.toBe(base);
    expect(
      hashBalanceProof(aDomain(), aBalanceProof({ receiver: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' })),
    ).not.toBe(base);
    expect(hashBalanceProof(aDomain(), aBalanceProof({ channelId: `0x${'11'.repeat(32)}` }))).not.toBe(base);
    expect(hashBalanceProof(channelDomain(1n, aDomain().verifyingContract), aBalanceProof())).not.toBe(base);
  });

  it.each([
    ['negative balance', { balance: -1n }],
    ['balance above uint256', { balance: UINT256_MAX + 1n }],
    ['short channel id', { channelId: '0x1234' as const }],
    ['non-hex receiver', { receiver: `0x${'zz'.repeat(20)}` as const }],
  ])('throws INVALID_ARGUMENT for %s', (_name, override) => {
    expect(thrownCode(() => balanceProofDigest(aDomain(), aBalanceProof(override)))).toBe('INVALID_ARGUMENT');
  });
});
