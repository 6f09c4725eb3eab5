import { TypedDataEncoder } from 'ethers';
import { describe, expect, it } from 'vitest';
import { BALANCE_PROOF_TYPES } from './balance-proof';
import { typedDataPrimaryType } from './typed-data-primary-type';
import { thrownCode } from './test/builders';

const PERMIT = {
  Permit: [
    { name: 'owner', type: 'address' },
    { name: 'spender', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
};

describe('typedDataPrimaryType', () => {
  it('names the single struct of BalanceProof and Permit types, as ethers does', () => {
    const balanceProof = { BalanceProof: BALANCE_PROOF_TYPES.BalanceProof.map((f) => ({ ...f })) };
    expect(typedDataPrimaryType(balanceProof)).toBe('BalanceProof');
    expect(typedDataPrimaryType(PERMIT)).toBe(TypedDataEncoder.getPrimaryType(PERMIT));
  });

  it('names the struct no other struct refers to (arrays included)', () => {
    const types = {
      Part: [{ name: 'x', type: 'uint256' }],
      Whole: [{ name: 'parts', type: 'Part[]' }],
    };
    expect(typedDataPrimaryType(types)).toBe('Whole');
    expect(typedDataPrimaryType(types)).toBe(TypedDataEncoder.getPrimaryType(types));
  });

  it('refuses types with no or several candidate primary types', () => {
    expect(thrownCode(() => typedDataPrimaryType({ ...PERMIT, Other: [{ name: 'a', type: 'bool' }] }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(thrownCode(() => typedDataPrimaryType({}))).toBe('INVALID_ARGUMENT');
  });
});
