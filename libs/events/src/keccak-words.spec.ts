import { encodeAbiParameters, keccak256, toHex } from 'viem';
import { describe, expect, it } from 'vitest';
import { balanceProofAcceptedId } from './balance-proof-events';
import { keccakOfText, keccakOfWords } from './keccak-words';
import { aBalanceProofAccepted } from './testing/event-builders';

describe('keccakOfWords', () => {
  it('equals keccak256(abi.encode(...)) of uint256, address and bytes32 words', () => {
    const address = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
    const bytes32 = `0x${'9f'.repeat(32)}` as const;
    const expected = keccak256(
      encodeAbiParameters(
        [{ type: 'uint256' }, { type: 'address' }, { type: 'bytes32' }, { type: 'uint256' }],
        [2n ** 256n - 1n, address, bytes32, 0n],
      ),
    );
    expect(keccakOfWords([2n ** 256n - 1n, address, bytes32, 0])).toBe(expected);
  });

  it('matches the documented balance proof id formula', () => {
    const { data, id } = aBalanceProofAccepted({ balance: 12_345n });
    const expected = keccak256(
      encodeAbiParameters(
        [
          { type: 'bytes32' },
          { type: 'uint256' },
          { type: 'address' },
          { type: 'bytes32' },
          { type: 'uint256' },
        ],
        [
          keccak256(toHex('microraiden.balance-proof.accepted')),
          BigInt(data.chainId),
          data.channelManager,
          data.channelId,
          data.balance,
        ],
      ),
    );
    expect(balanceProofAcceptedId(data)).toBe(expected);
    expect(id).toBe(expected);
  });

  it('refuses words that are not uint256 or 20/32-byte hex', () => {
    expect(() => keccakOfWords([-1n])).toThrow(RangeError);
    expect(() => keccakOfWords([2n ** 256n])).toThrow(RangeError);
    expect(() => keccakOfWords(['0x1234'])).toThrow(TypeError);
    expect(() => keccakOfWords([`0x${'zz'.repeat(32)}`])).toThrow(TypeError);
  });

  it('hashes text as UTF-8', () => {
    expect(keccakOfText('')).toBe('0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
  });
});
