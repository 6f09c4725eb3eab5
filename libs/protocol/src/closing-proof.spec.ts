import { TypedDataEncoder, id } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  CLOSING_PROOF_TYPE,
  CLOSING_PROOF_TYPEHASH,
  CLOSING_PROOF_TYPES,
  closingProofDigest,
  hashClosingProof,
} from './closing-proof';
import { hashBalanceProof } from './balance-proof';
import { channelDomain, typedDataDomain } from './eip712-domain';
import { bytesToHex } from './hex';
import { aChannelId, aDomain, propertySeed, RECEIVER, SENDER, seededRandom } from './test/builders';

const ethersTypes = { ClosingProof: [...CLOSING_PROOF_TYPES.ClosingProof] };

describe('ClosingProof digest', () => {
  it('has the agreed type string and type hash', () => {
    expect(CLOSING_PROOF_TYPE).toBe('ClosingProof(bytes32 channelId,address sender,uint256 balance)');
    expect(CLOSING_PROOF_TYPEHASH).toBe('0x5fd8c45ac070cfd389025a0e2234e3c2bbb5df88fc48bb087727c8aa20eb64fa');
    expect(CLOSING_PROOF_TYPEHASH).toBe(id(CLOSING_PROOF_TYPE));
  });

  it('matches the fixed vector computed with ethers', () => {
    const proof = { channelId: aChannelId(), sender: SENDER, balance: 3_000_000_000_000_000n };
    expect(hashClosingProof(aDomain(), proof)).toBe(
      '0xb0a75733b42ce0c77e131286dbe8fe6a05f7d48c6dacedbde429b2ea518ce44a',
    );
  });

  it('differs from a BalanceProof over the same words (the type hash separates them)', () => {
    const words = { channelId: aChannelId(), balance: 5n };
    expect(hashClosingProof(aDomain(), { ...words, sender: RECEIVER })).not.toBe(
      hashBalanceProof(aDomain(), { ...words, receiver: RECEIVER }),
    );
  });

  it('agrees with ethers TypedDataEncoder.hash on 200 random proofs', () => {
    const seed = propertySeed();
    const rnd = seededRandom(seed);
    for (let i = 0; i < 200; i++) {
      const domain = channelDomain(1n + (rnd.uint(53) % (2n ** 53n - 1n)), rnd.hex(20));
      const proof = { channelId: rnd.hex(32), sender: rnd.hex(20), balance: rnd.uint(256) };
      const expected = TypedDataEncoder.hash(typedDataDomain(domain), ethersTypes, proof);
      expect(bytesToHex(closingProofDigest(domain, proof)), `seed ${seed} i ${i}`).toBe(expected);
    }
  });
});
