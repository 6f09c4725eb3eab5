import { z } from 'zod';
import { derivedIdEventSchema } from './event-envelope';
import { channelBalanceId, type ChannelBalance } from './channel-balance-id';
import { keccakOfText } from './keccak-words';
import {
  addressField,
  amountField,
  bytes32Field,
  chainIdField,
  instantField,
  signatureField,
  type Hex,
} from './wire-fields';

/**
 * Event type: the receiver (a gateway) signed a cooperative-close `ClosingProof` at `balance` and stopped accepting
 * payments on the channel. Off-chain, so it travels with the balance proofs; the chain's `channel.settled` follows
 * only if someone submits the signatures.
 */
export const BALANCE_PROOF_CLOSE_SIGNED = 'balance-proof.close-signed';

const balanceProofCloseSignedData = z.object({
  channelId: bytes32Field,
  sender: addressField,
  receiver: addressField,
  channelManager: addressField,
  chainId: chainIdField,
  /** The closing balance: the channel's last accepted cumulative balance, which the receiver committed to. */
  balance: amountField,
  /** The receiver's ClosingProof(channelId, sender, balance) signature, for cooperativeClose. */
  closingSignature: signatureField,
  gatewayId: z.string().min(1).max(128),
  signedAt: instantField,
});

/** `balance-proof.close-signed` v1; the id must equal {@link balanceProofCloseSignedId} of the data. */
export const balanceProofCloseSignedV1Schema = derivedIdEventSchema(
  BALANCE_PROOF_CLOSE_SIGNED,
  1,
  balanceProofCloseSignedData,
  balanceProofCloseSignedId,
  'closing signature',
);

/** `balance-proof.close-signed` v1 as TypeScript sees it (amounts are bigint). */
export type BalanceProofCloseSignedV1 = z.output<typeof balanceProofCloseSignedV1Schema>;

/** The `data` of a `balance-proof.close-signed` v1 event. */
export type BalanceProofCloseSignedData = BalanceProofCloseSignedV1['data'];

const BALANCE_PROOF_CLOSE_SIGNED_TAG = keccakOfText('microraiden.balance-proof.close-signed');

/**
 * Deterministic id of a closing signature: keccak256(abi.encode(keccak256("microraiden.balance-proof.close-signed"),
 * chainId, channelManager, channelId, balance)). Signing again at the same balance (an idempotent re-request) names
 * the same fact, so it keeps the id and consumers drop the duplicate; when or by which replica does not matter.
 */
export function balanceProofCloseSignedId(data: ChannelBalance): Hex {
  return channelBalanceId(BALANCE_PROOF_CLOSE_SIGNED_TAG, data);
}

/** Build a `balance-proof.close-signed` v1 event with its deterministic id; `occurredAt` defaults to `signedAt`. */
export function createBalanceProofCloseSigned(
  data: BalanceProofCloseSignedData,
  meta: { source: string; occurredAt?: string },
): BalanceProofCloseSignedV1 {
  return {
    id: balanceProofCloseSignedId(data),
    type: BALANCE_PROOF_CLOSE_SIGNED,
    version: 1,
    occurredAt: meta.occurredAt ?? data.signedAt,
    source: meta.source,
    data: { ...data },
  };
}
