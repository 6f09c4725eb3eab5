import { Signature, TypedDataEncoder, getAddress, type Signer, type TypedDataDomain } from 'ethers';
import type { MicroTokenContract } from '@microraiden/contracts';

/** An EIP-2612 permit signature, split as `createChannelWithPermit`/`topUpWithPermit` take it. */
export interface PermitSignature {
  readonly deadline: bigint;
  readonly v: number;
  readonly r: string;
  readonly s: string;
}

const PERMIT_TYPES = {
  Permit: [
    { name: 'owner', type: 'address' },
    { name: 'spender', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
};

/**
 * The token's EIP-712 domain when it supports EIP-2612 permits, else undefined. The domain is read with
 * ERC-5267 `eip712Domain()` (or assumed `{name(), "1"}` without it) and only trusted when it hashes to the
 * token's own `DOMAIN_SEPARATOR()` and `nonces(owner)` answers — a permit signed for a wrong domain would
 * just revert.
 */
export async function detectPermitDomain(
  token: MicroTokenContract,
  owner: string,
  chainId: bigint,
): Promise<TypedDataDomain | undefined> {
  const tokenAddress = getAddress(await token.getAddress());
  let domain: TypedDataDomain;
  try {
    const [, name, version, domainChainId, verifyingContract] = await token.eip712Domain();
    domain = { name, version, chainId: domainChainId, verifyingContract: getAddress(verifyingContract) };
  } catch {
    try {
      domain = { name: await token.name(), version: '1', chainId, verifyingContract: tokenAddress };
    } catch {
      return undefined;
    }
  }
  try {
    const separator = await token.DOMAIN_SEPARATOR();
    if (separator.toLowerCase() !== TypedDataEncoder.hashDomain(domain).toLowerCase()) return undefined;
    await token.nonces(owner);
    return domain;
  } catch {
    return undefined;
  }
}

/** `owner`'s permit letting `spender` take `value` tokens until `deadline` (unix seconds, chain time). */
export async function signPermit(
  owner: Signer,
  domain: TypedDataDomain,
  message: { owner: string; spender: string; value: bigint; nonce: bigint; deadline: bigint },
): Promise<PermitSignature> {
  const signature = Signature.from(await owner.signTypedData(domain, PERMIT_TYPES, message));
  return { deadline: message.deadline, v: signature.v, r: signature.r, s: signature.s };
}
