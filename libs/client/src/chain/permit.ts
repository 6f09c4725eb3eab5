import type { Signer } from 'ethers';
import type { MicroTokenContract } from '@microraiden/contracts';
import {
  checksummedAddress,
  hashTypedDataDomain,
  parseSignature,
  type TypedDataDomainFields,
  type TypedDataRequest,
} from '@microraiden/protocol';
import { ClientError } from '../client-error';

/** An EIP-2612 permit signature, split as `createChannelWithPermit`/`topUpWithPermit` take it. */
export interface PermitSignature {
  readonly deadline: bigint;
  readonly v: number;
  readonly r: string;
  readonly s: string;
}

/** What an EIP-2612 permit says: `owner` lets `spender` take `value` tokens until `deadline` (chain time). */
export interface PermitMessage {
  readonly owner: string;
  readonly spender: string;
  readonly value: bigint;
  readonly nonce: bigint;
  readonly deadline: bigint;
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
): Promise<TypedDataDomainFields | undefined> {
  const tokenAddress = checksummedAddress(await token.getAddress(), 'token');
  let domain: TypedDataDomainFields;
  try {
    const [, name, version, domainChainId, verifyingContract] = await token.eip712Domain();
    domain = {
      name,
      version,
      chainId: domainChainId,
      verifyingContract: checksummedAddress(verifyingContract),
    };
  } catch {
    try {
      domain = { name: await token.name(), version: '1', chainId, verifyingContract: tokenAddress };
    } catch {
      return undefined;
    }
  }
  try {
    const separator = await token.DOMAIN_SEPARATOR();
    if (separator.toLowerCase() !== hashTypedDataDomain(domain)) return undefined;
    await token.nonces(owner);
    return domain;
  } catch {
    return undefined;
  }
}

/** The Permit signing request of `message` under the token's `domain` (eth_signTypedData_v4 via typedDataPayload). */
export function permitRequest(domain: TypedDataDomainFields, message: PermitMessage): TypedDataRequest {
  return {
    domain,
    types: { Permit: PERMIT_TYPES.Permit.map((field) => ({ ...field })) },
    primaryType: 'Permit',
    message: { ...message },
  };
}

/** A wallet's permit signature split as the contract takes it (v = 27/28); SIGNING_FAILED when unusable. */
export function permitSignature(signature: string, deadline: bigint): PermitSignature {
  const parsed = parseSignature(signature);
  // A high-s or malformed signature would only make the token's ECDSA.recover revert the open.
  if (!parsed.ok) {
    throw new ClientError('SIGNING_FAILED', `the permit signature is unusable (${parsed.error})`);
  }
  const { canonical } = parsed.value;
  return {
    deadline,
    v: 27 + parsed.value.recoveryId,
    r: `0x${canonical.slice(2, 66)}`,
    s: `0x${canonical.slice(66, 130)}`,
  };
}

/** `owner`'s permit letting `spender` take `value` tokens until `deadline` (unix seconds, chain time). */
export async function signPermit(
  owner: Signer,
  domain: TypedDataDomainFields,
  message: PermitMessage,
): Promise<PermitSignature> {
  return permitSignature(await owner.signTypedData(domain, PERMIT_TYPES, message), message.deadline);
}
