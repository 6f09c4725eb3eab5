import { keccak256 } from './keccak256';
import type { ChannelDomain } from './eip712-domain';
import { bytesToHex, type Address, type Hex, type Hex32 } from './hex';
import { digestProofStruct } from './typed-data-hash';

/** What the sender signs per request: the cumulative amount it owes the receiver on the channel. */
export interface BalanceProof {
  readonly channelId: Hex32;
  readonly receiver: Address;
  /** Cumulative token base units owed on the channel, not the increment. */
  readonly balance: bigint;
}

/** The EIP-712 type string of BalanceProof. */
export const BALANCE_PROOF_TYPE = 'BalanceProof(bytes32 channelId,address receiver,uint256 balance)';

const TYPEHASH_BYTES = keccak256(new TextEncoder().encode(BALANCE_PROOF_TYPE));
/** keccak256 of BALANCE_PROOF_TYPE. */
export const BALANCE_PROOF_TYPEHASH: Hex = bytesToHex(TYPEHASH_BYTES);

/** BalanceProof's EIP-712 `types` object, as ethers' and viem's signTypedData take it. */
export const BALANCE_PROOF_TYPES = {
  BalanceProof: [
    { name: 'channelId', type: 'bytes32' },
    { name: 'receiver', type: 'address' },
    { name: 'balance', type: 'uint256' },
  ],
} as const;

/** The 32-byte EIP-712 digest the sender signs; throws INVALID_ARGUMENT on out-of-type fields. */
export function balanceProofDigest(domain: ChannelDomain, proof: BalanceProof): Uint8Array {
  return digestProofStruct(
    domain,
    TYPEHASH_BYTES,
    proof.channelId,
    proof.receiver,
    proof.balance,
    'receiver',
  );
}

/** balanceProofDigest as 0x hex (what ethers' TypedDataEncoder.hash returns). */
export function hashBalanceProof(domain: ChannelDomain, proof: BalanceProof): Hex32 {
  return bytesToHex(balanceProofDigest(domain, proof));
}
