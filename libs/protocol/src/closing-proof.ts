import { keccak256 } from './keccak256';
import type { ChannelDomain } from './eip712-domain';
import { bytesToHex, type Address, type Hex, type Hex32 } from './hex';
import { digestProofStruct } from './typed-data-hash';

/** What the receiver signs to agree to a cooperative close at `balance`. */
export interface ClosingProof {
  readonly channelId: Hex32;
  readonly sender: Address;
  /** The final cumulative balance paid to the receiver. */
  readonly balance: bigint;
}

/** The EIP-712 type string of ClosingProof. */
export const CLOSING_PROOF_TYPE = 'ClosingProof(bytes32 channelId,address sender,uint256 balance)';

const TYPEHASH_BYTES = keccak256(new TextEncoder().encode(CLOSING_PROOF_TYPE));
/** keccak256 of CLOSING_PROOF_TYPE. */
export const CLOSING_PROOF_TYPEHASH: Hex = bytesToHex(TYPEHASH_BYTES);

/** ClosingProof's EIP-712 `types` object, as ethers' and viem's signTypedData take it. */
export const CLOSING_PROOF_TYPES = {
  ClosingProof: [
    { name: 'channelId', type: 'bytes32' },
    { name: 'sender', type: 'address' },
    { name: 'balance', type: 'uint256' },
  ],
} as const;

/** The 32-byte EIP-712 digest the receiver signs; throws INVALID_ARGUMENT on out-of-type fields. */
export function closingProofDigest(domain: ChannelDomain, proof: ClosingProof): Uint8Array {
  return digestProofStruct(domain, TYPEHASH_BYTES, proof.channelId, proof.sender, proof.balance, 'sender');
}

/** closingProofDigest as 0x hex (what ethers' TypedDataEncoder.hash returns). */
export function hashClosingProof(domain: ChannelDomain, proof: ClosingProof): Hex32 {
  return bytesToHex(closingProofDigest(domain, proof));
}
