import { Signature, verifyTypedData, type Signer, type TypedDataDomain } from 'ethers';
import {
  balanceProofTypes,
  channelManagerDomain,
  closingProofTypes,
  type BalanceProofMessage,
  type ClosingProofMessage,
} from '@microraiden/contracts';

/** Where a proof is meant to be valid: the manager's EIP-712 domain. */
export interface ProofDomain {
  chainId: bigint;
  channelManager: string;
}

/** The sender's EIP-712 balance proof; pass `domainOverride` to sign for another contract or chain. */
export function signBalanceProof(
  sender: Signer,
  domain: ProofDomain,
  message: BalanceProofMessage,
  domainOverride: Partial<TypedDataDomain> = {},
): Promise<string> {
  return sender.signTypedData(
    { ...channelManagerDomain(domain.chainId, domain.channelManager), ...domainOverride },
    balanceProofTypes,
    message,
  );
}

/** The receiver's EIP-712 closing proof; pass `domainOverride` to sign for another contract or chain. */
export function signClosingProof(
  receiver: Signer,
  domain: ProofDomain,
  message: ClosingProofMessage,
  domainOverride: Partial<TypedDataDomain> = {},
): Promise<string> {
  return receiver.signTypedData(
    { ...channelManagerDomain(domain.chainId, domain.channelManager), ...domainOverride },
    closingProofTypes,
    message,
  );
}

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** The same signature in its malleable form (s' = n - s, v flipped): ecrecover accepts it, OZ ECDSA must not. */
export function malleate(signature: string): string {
  const sig = Signature.from(signature);
  const highS = SECP256K1_N - BigInt(sig.s);
  const v = sig.v === 27 ? 28 : 27;
  return `0x${sig.r.slice(2)}${highS.toString(16).padStart(64, '0')}${v.toString(16)}`;
}

const permitTypes = {
  Permit: [
    { name: 'owner', type: 'address' },
    { name: 'spender', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
};

/** An EIP-2612 permit: `owner` lets `spender` take `value` tokens of the ERC20Permit `token` until `deadline`. */
export interface PermitParams {
  token: string;
  tokenName: string;
  chainId: bigint;
  owner: string;
  spender: string;
  value: bigint;
  nonce: bigint;
  deadline: bigint;
}

function permitDomain(params: PermitParams): TypedDataDomain {
  return { name: params.tokenName, version: '1', chainId: params.chainId, verifyingContract: params.token };
}

function permitMessage(params: PermitParams): Record<string, unknown> {
  const { owner, spender, value, nonce, deadline } = params;
  return { owner, spender, value, nonce, deadline };
}

/** `signer`'s signature of the permit `params` (the signer need not be `params.owner`). */
export async function signPermit(signer: Signer, params: PermitParams): Promise<Signature> {
  return Signature.from(await signer.signTypedData(permitDomain(params), permitTypes, permitMessage(params)));
}

/** Who the token will see as the permit's signer when `signature` is submitted with `params`. */
export function recoverPermitSigner(params: PermitParams, signature: Signature): string {
  return verifyTypedData(permitDomain(params), permitTypes, permitMessage(params), signature);
}
