import { z } from 'zod';
import { derivedIdEventSchema } from './event-envelope';
import { channelBalanceId } from './channel-balance-id';
import { keccakOfText } from './keccak-words';
import { whenFieldsValid } from './when-fields-valid';
import { addressField, amountField, bytes32Field, chainIdField, instantField, type Hex } from './wire-fields';

/**
 * Event type: the gateway charged a channel without a new balance proof (a stream's charge-only commit: units
 * delivered under an authorisation it already holds). Moves the charged balance C only; the signed balance S (what
 * the receiver can claim) stays what the last `balance-proof.accepted` said.
 */
export const BALANCE_PROOF_CHARGED = 'balance-proof.charged';

const balanceProofChargedData = z
  .object({
    channelId: bytes32Field,
    sender: addressField,
    receiver: addressField,
    channelManager: addressField,
    chainId: chainIdField,
    /** The signed (accepted) balance S of the channel, unchanged by this charge. */
    balance: amountField,
    /** What this commit charged: at least 1 (a commit of nothing is no fact, and would repeat the id below). */
    charge: amountField,
    /** The channel's charged balance C after this charge (C <= balance). */
    chargedBalance: amountField,
    route: z.string().min(1).max(2048).startsWith('/'),
    method: z.string().regex(/^[A-Z]{1,16}$/, 'expected an upper-case HTTP method'),
    gatewayId: z.string().min(1).max(128),
    chargedAt: instantField,
  })
  .superRefine((data, ctx) => {
    // Checked on both encode and decode: a producer bug must not reach the ledger's revenue.
    if (data.charge === 0n)
      ctx.addIssue({ code: 'custom', path: ['charge'], message: 'charge must be at least 1' });
    else if (data.chargedBalance > data.balance)
      ctx.addIssue({
        code: 'custom',
        path: ['chargedBalance'],
        message: 'chargedBalance must not exceed balance',
      });
    else if (data.charge > data.chargedBalance)
      ctx.addIssue({ code: 'custom', path: ['charge'], message: 'charge must not exceed chargedBalance' });
  }, whenFieldsValid);

/** `balance-proof.charged` v1; the id must equal {@link balanceProofChargedId} of the data. */
export const balanceProofChargedV1Schema = derivedIdEventSchema(
  BALANCE_PROOF_CHARGED,
  1,
  balanceProofChargedData,
  balanceProofChargedId,
  'charge',
);

/** `balance-proof.charged` v1 as TypeScript sees it (amounts are bigint). */
export type BalanceProofChargedV1 = z.output<typeof balanceProofChargedV1Schema>;

/** The `data` of a `balance-proof.charged` v1 event. */
export type BalanceProofChargedData = BalanceProofChargedV1['data'];

const BALANCE_PROOF_CHARGED_TAG = keccakOfText('microraiden.balance-proof.charged');

/**
 * Deterministic id of a charge: keccak256(abi.encode(keccak256("microraiden.balance-proof.charged"), chainId,
 * channelManager, channelId, chargedBalance)). Every charge is at least 1, so a channel's charged balance strictly
 * increases over its charges: a retried commit (same C after) repeats the id and consumers drop the duplicate.
 */
export function balanceProofChargedId(data: {
  readonly chainId: number;
  readonly channelManager: Hex;
  readonly channelId: Hex;
  readonly chargedBalance: bigint;
}): Hex {
  return channelBalanceId(BALANCE_PROOF_CHARGED_TAG, { ...data, balance: data.chargedBalance });
}

/** Build a `balance-proof.charged` v1 event with its deterministic id; `occurredAt` defaults to `chargedAt`. */
export function createBalanceProofCharged(
  data: BalanceProofChargedData,
  meta: { source: string; occurredAt?: string },
): BalanceProofChargedV1 {
  return {
    id: balanceProofChargedId(data),
    type: BALANCE_PROOF_CHARGED,
    version: 1,
    occurredAt: meta.occurredAt ?? data.chargedAt,
    source: meta.source,
    data: { ...data },
  };
}
