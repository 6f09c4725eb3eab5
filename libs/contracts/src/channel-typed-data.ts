import {
  BALANCE_PROOF_TYPES,
  channelDomain,
  CLOSING_PROOF_TYPES,
  EIP712_DOMAIN_NAME,
  EIP712_DOMAIN_VERSION,
  typedDataDomain,
} from '@microraiden/protocol';
import type { TypedDataDomain, TypedDataField } from 'ethers';

// The EIP-712 definitions live in @microraiden/protocol (the wire spec); these are their ethers-shaped views.

/** EIP-712 domain name of the channel manager. */
export const CHANNEL_MANAGER_DOMAIN_NAME = EIP712_DOMAIN_NAME;

/** EIP-712 domain version of the channel manager. */
export const CHANNEL_MANAGER_DOMAIN_VERSION = EIP712_DOMAIN_VERSION;

/** The EIP-712 domain the channel manager at `verifyingContract` on `chainId` verifies signatures against. */
export function channelManagerDomain(chainId: bigint, verifyingContract: string): TypedDataDomain {
  return typedDataDomain(channelDomain(chainId, verifyingContract));
}

/** Typed data the SENDER signs: the cumulative `balance` it owes on `channelId` to `receiver`. */
export const balanceProofTypes: Record<'BalanceProof', TypedDataField[]> = {
  BalanceProof: BALANCE_PROOF_TYPES.BalanceProof.map((field) => ({ ...field })),
};

/** Typed data the RECEIVER signs to agree to close `channelId` of `sender` at `balance`. */
export const closingProofTypes: Record<'ClosingProof', TypedDataField[]> = {
  ClosingProof: CLOSING_PROOF_TYPES.ClosingProof.map((field) => ({ ...field })),
};

/** The message of a balance proof. */
export interface BalanceProofMessage {
  channelId: string;
  receiver: string;
  balance: bigint;
}

/** The message of a closing proof. */
export interface ClosingProofMessage {
  channelId: string;
  sender: string;
  balance: bigint;
}
