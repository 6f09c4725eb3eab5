import type { TypedDataDomain, TypedDataField } from 'ethers';

/** EIP-712 domain name of the channel manager. */
export const CHANNEL_MANAGER_DOMAIN_NAME = 'MicroTransferChannels';

/** EIP-712 domain version of the channel manager. */
export const CHANNEL_MANAGER_DOMAIN_VERSION = '1';

/** The EIP-712 domain the channel manager at `verifyingContract` on `chainId` verifies signatures against. */
export function channelManagerDomain(chainId: bigint, verifyingContract: string): TypedDataDomain {
  return {
    name: CHANNEL_MANAGER_DOMAIN_NAME,
    version: CHANNEL_MANAGER_DOMAIN_VERSION,
    chainId,
    verifyingContract,
  };
}

/** Typed data the SENDER signs: the cumulative `balance` it owes on `channelId` to `receiver`. */
export const balanceProofTypes: Record<'BalanceProof', TypedDataField[]> = {
  BalanceProof: [
    { name: 'channelId', type: 'bytes32' },
    { name: 'receiver', type: 'address' },
    { name: 'balance', type: 'uint256' },
  ],
};

/** Typed data the RECEIVER signs to agree to close `channelId` of `sender` at `balance`. */
export const closingProofTypes: Record<'ClosingProof', TypedDataField[]> = {
  ClosingProof: [
    { name: 'channelId', type: 'bytes32' },
    { name: 'sender', type: 'address' },
    { name: 'balance', type: 'uint256' },
  ],
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
