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
    /**
     * What this acceptance charged (metered and streamed prices); absent means `increment`. Optional so v1 stays
     * v1: old producers omit it and mean the same thing.
     */
    charge: amountField.optional(),
    /** The channel's charged balance C after this acceptance (C <= balance); absent means `balance`. */
    chargedBalance: amountField.optional(),
    /**
     * The channel's balance signer (`channel.signer-set`), present when it has one: the proof is then signed by the
     * sender or by this key, and a consumer checking the signature accepts either. Optional so v1 stays v1.
     */
    signer: addressField.optional(),
  })
  .superRefine((data, ctx) => {
    // Checked on both encode and decode: a producer bug must not reach the ledger's revenue.
    const issue = balanceProofAcceptedMoneyIssue(data);
    if (issue !== undefined) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
  }, whenFieldsValid);

/** The money fields of an accepted proof, as the one rule below reads them. */
interface AcceptedMoney {
  balance: bigint;
  previousBalance: bigint;
  increment: bigint;
  charge?: bigint | undefined;
  chargedBalance?: bigint | undefined;
}

/**
 * The money rules of `balance-proof.accepted`, declared once for the schema and the hand-written encoder and
 * decoder: the signed chain (balance > previousBalance, increment = balance - previousBalance) and the charged one
 * (chargedBalance <= balance, charge <= chargedBalance, absent fields read as their defaults).
 */
export function balanceProofAcceptedMoneyIssue(
  data: AcceptedMoney,
): { path: 'balance' | 'increment' | 'chargedBalance' | 'charge'; message: string } | undefined {
  if (data.balance <= data.previousBalance)
    return { path: 'balance', message: 'balance must exceed previousBalance' };
  if (data.increment !== data.balance - data.previousBalance)
    return { path: 'increment', message: 'increment must equal balance - previousBalance' };
  const chargedBalance = data.chargedBalance ?? data.balance;
  if (chargedBalance > data.balance)
    return { path: 'chargedBalance', message: 'chargedBalance must not exceed balance' };
  if ((data.charge ?? data.increment) > chargedBalance)
    return { path: 'charge', message: 'charge must not exceed chargedBalance' };
  return undefined;
}

/** What an acceptance charged: `charge`, or `increment` when the producer wrote none (a fixed price). */
export function chargeOf(data: Pick<AcceptedMoney, 'increment' | 'charge'>): bigint {
  return data.charge ?? data.increment;
}

/** The channel's charged balance after an acceptance: `chargedBalance`, or `balance` when the producer wrote none. */
export function chargedBalanceOf(data: Pick<AcceptedMoney, 'balance' | 'chargedBalance'>): bigint {
  return data.chargedBalance ?? data.balance;
}

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
