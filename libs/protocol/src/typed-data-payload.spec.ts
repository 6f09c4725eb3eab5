import { TypedDataEncoder } from 'ethers';
import { describe, expect, it } from 'vitest';
import { BALANCE_PROOF_TYPES } from './balance-proof';
import { typedDataDomain } from './eip712-domain';
import { typedDataPayload, type TypedDataRequest } from './typed-data-payload';
import { aBalanceProof, aDomain, RECEIVER, SENDER, TOKEN, thrownCode } from './test/builders';

const PERMIT_TYPES = {
  Permit: [
    { name: 'owner', type: 'address' },
    { name: 'spender', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
};

// ethers spells every chain id as a hex quantity (it tests Number.isSafeInteger on a bigint); wallets compare the
// chain id as a number, so the payload carries one when it is exact — what the client sent before this function.
function viaEthers(request: TypedDataRequest): unknown {
  const types = Object.fromEntries(Object.entries(request.types).map(([k, v]) => [k, [...v]]));
  const payload = TypedDataEncoder.getPayload(request.domain, types, request.message);
  const { chainId } = request.domain;
  if (chainId === undefined || chainId > BigInt(Number.MAX_SAFE_INTEGER)) return payload;
  return { ...payload, domain: { ...payload.domain, chainId: Number(chainId) } };
}

function permitRequest(): TypedDataRequest {
  return {
    domain: { name: 'Micro Token', version: '1', chainId: 31337n, verifyingContract: TOKEN },
    types: PERMIT_TYPES,
    primaryType: 'Permit',
    message: {
      owner: SENDER,
      spender: RECEIVER.toLowerCase(),
      value: 10n ** 24n,
      nonce: 0n,
      deadline: 1_900_000_000n,
    },
  };
}

describe('typedDataPayload', () => {
  it('spells an EIP-2612 Permit exactly as ethers getPayload does', () => {
    const payload = typedDataPayload(permitRequest());
    expect(payload).toEqual(viaEthers(permitRequest()));
    expect(JSON.stringify(payload)).toBe(JSON.stringify(viaEthers(permitRequest())));
    expect(payload.domain.chainId).toBe(31337);
    expect(payload.message.value).toBe('1000000000000000000000000');
  });

  it('spells a BalanceProof exactly as ethers getPayload does', () => {
    const proof = aBalanceProof({ balance: 123n });
    const request: TypedDataRequest = {
      domain: typedDataDomain(aDomain()),
      types: { BalanceProof: BALANCE_PROOF_TYPES.BalanceProof.map((field) => ({ ...field })) },
      primaryType: 'BalanceProof',
      message: {
        channelId: proof.channelId.toUpperCase().replace('0X', '0x'),
        receiver: proof.receiver,
        balance: 123n,
      },
    };
    expect(JSON.stringify(typedDataPayload(request))).toBe(JSON.stringify(viaEthers(request)));
  });

  it('keeps only the domain fields present, and a chain id beyond 2^53 as a hex quantity', () => {
    const request = { ...permitRequest(), domain: { name: 'T', chainId: 2n ** 60n } };
    expect(typedDataPayload(request)).toEqual(viaEthers(request));
    expect(typedDataPayload(request).types.EIP712Domain).toEqual([
      { name: 'name', type: 'string' },
      { name: 'chainId', type: 'uint256' },
    ]);
  });

  it('refuses out-of-type values, a bad checksum, nested structs and an unknown primary type', () => {
    const bad = (change: Partial<TypedDataRequest>) =>
      thrownCode(() => typedDataPayload({ ...permitRequest(), ...change }));
    expect(bad({ message: { ...permitRequest().message, value: -1n } })).toBe('INVALID_ARGUMENT');
    expect(bad({ message: { ...permitRequest().message, value: 2n ** 256n } })).toBe('INVALID_ARGUMENT');
    expect(bad({ message: { ...permitRequest().message, owner: SENDER.replace('f39F', 'F39f') } })).toBe(
      'INVALID_ARGUMENT',
    );
    expect(bad({ primaryType: 'Nope' })).toBe('INVALID_ARGUMENT');
    expect(
      bad({ types: { ...PERMIT_TYPES, Wrap: [{ name: 'p', type: 'Permit' }] }, primaryType: 'Wrap' }),
    ).toBe('INVALID_ARGUMENT');
  });
});
