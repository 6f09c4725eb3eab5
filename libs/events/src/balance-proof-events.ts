import { z } from 'zod';
import { derivedIdEventSchema } from './event-envelope';
import { channelBalanceId, type ChannelBalance } from './channel-balance-id';
import { keccakOfText } from './keccak-words';
import { whenFieldsValid } from './when-fields-valid';
import {
  addressField,
  amountField,
  bytes32Field,
  chainIdField,
  instantField,
  signatureField,
  type Hex,
} from './wire-fields';

/** Event type: the gateway accepted a sender's balance proof for one paid request (exactly once). */
export const BALANCE_PROOF_ACCEPTED = 'balance-proof.accepted';

const balanceProofAcceptedData = z
  .object({
    channelId: bytes32Field,
    sender: addressField,
    receiver: addressField,
    channelManager: addressField,
    chainId: chainIdField,
    /** Cumulative amount the sender has signed over on this channel. */
    balance: amountField,
    /** Cumulative balance accepted before this proof (0 for the first one). */
    previousBalance: amountField,
    /** `balance - previousBalance`: what this request paid. */
    increment: amountField,
    /** Price of the route when the proof was accepted. */
    price: amountField,
    signature: signatureField,
    route: z.string().min(1).max(2048).startsWith('/'),
    method: z.string().regex(/^[A-Z]{1,16}$/, 'expected an upper-case HTTP method'),
    gatewayId: z.string().min(1).max(128),
    acceptedAt: instantField,
  })
  .superRefine((data, ctx) => {
    // Checked on both encode and decode: a producer bug must not reach the ledger's revenue.
    if (data.balance <= data.previousBalance)
      ctx.addIssue({ code: 'custom', path: ['balance'], message: 'balance must exceed previousBalance' });
    else if (data.increment !== data.balance - data.previousBalance)
      ctx.addIssue({
        code: 'custom',
        path: ['increment'],
        message: 'increment must equal balance - previousBalance',
      });
  }, whenFieldsValid);

/** `balance-proof.accepted` v1; the id must equal {@link balanceProofAcceptedId} of the data. */
export const balanceProofAcceptedV1Schema = derivedIdEventSchema(
  BALANCE_PROOF_ACCEPTED,
  1,
  balanceProofAcceptedData,
  balanceProofAcceptedId,
  'balance proof',
);

/** `balance-proof.accepted` v1 as TypeScript sees it (amounts are bigint). */
export type BalanceProofAcceptedV1 = z.output<typeof balanceProofAcceptedV1Schema>;

/** The `data` of a `balance-proof.accepted` v1 event. */
export type BalanceProofAcceptedData = BalanceProofAcceptedV1['data'];

const BALANCE_PROOF_ACCEPTED_TAG = keccakOfText('microraiden.balance-proof.accepted');

/**
 * Deterministic id of an accepted balance proof: keccak256(abi.encode(keccak256("microraiden.balance-proof.accepted"),
 * chainId, channelManager, channelId, balance)). Balances strictly increase per channel and channel ids are never
 * reused, so this names one acceptance: a re-sent outbox row keeps its id and consumers drop the duplicate.
 */
export function balanceProofAcceptedId(data: ChannelBalance): Hex {
  return channelBalanceId(BALANCE_PROOF_ACCEPTED_TAG, data);
}

// Ids computed by createBalanceProofAccepted, keyed by its frozen copy of the data: the encoder, which must check the
// id, finds it here instead of hashing a second time per paid request. Frozen, the data cannot have changed since.
const computedIds = new WeakMap<object, Hex>();

/** {@link balanceProofAcceptedId} of `data`, without hashing again when createBalanceProofAccepted made `data`. */
export function knownBalanceProofAcceptedId(data: BalanceProofAcceptedData): Hex {
  return computedIds.get(data) ?? balanceProofAcceptedId(data);
}

/**
 * Build a `balance-proof.accepted` v1 event with its deterministic id; `occurredAt` defaults to `acceptedAt`. The
 * event's data is a frozen copy of `data`.
 */
export function createBalanceProofAccepted(
  data: BalanceProofAcceptedData,
  meta: { source: string; occurredAt?: string },
): BalanceProofAcceptedV1 {
  const frozen = Object.freeze({ ...data });
  const id = balanceProofAcceptedId(frozen);
  computedIds.set(frozen, id);
  return {
    id,
    type: BALANCE_PROOF_ACCEPTED,
    version: 1,
    occurredAt: meta.occurredAt ?? data.acceptedAt,
    source: meta.source,
    data: frozen,
  };
}
