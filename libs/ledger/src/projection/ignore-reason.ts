/**
 * Why a well-formed event was recorded in the audit trail without changing the projection. Stable codes:
 * operators filter on them.
 */
export const IGNORE_REASONS = {
  /** A proof whose balance is not above the latest accepted one of its channel. */
  BALANCE_NOT_INCREASING: 'BALANCE_NOT_INCREASING',
  /**
   * A proof or closing signature whose parties, chain or channel manager differ from the channel's earlier
   * proofs or closing signature.
   */
  PROOF_PARTIES_MISMATCH: 'PROOF_PARTIES_MISMATCH',
  /** A chain event other than `channel.created` for a channel whose creation the ledger never applied. */
  CHANNEL_UNKNOWN: 'CHANNEL_UNKNOWN',
  /** A second, different `channel.created` for a channel that already has one applied. */
  CHANNEL_ALREADY_CREATED: 'CHANNEL_ALREADY_CREATED',
  /** A closing signature at a balance not above the one already recorded for the channel. */
  CLOSE_ALREADY_SIGNED: 'CLOSE_ALREADY_SIGNED',
  /** A charge-only commit (`balance-proof.charged`) on a channel with no accepted proof. */
  CHARGE_WITHOUT_PROOF: 'CHARGE_WITHOUT_PROOF',
  /** A charge-only commit whose charged balance is not above the channel's recorded one. */
  CHARGE_NOT_INCREASING: 'CHARGE_NOT_INCREASING',
  /** A retraction of an event that is not applied (never seen, ignored, or already retracted). */
  RETRACTED_EVENT_NOT_APPLIED: 'RETRACTED_EVENT_NOT_APPLIED',
} as const;

/** One of {@link IGNORE_REASONS}. */
export type IgnoreReason = keyof typeof IGNORE_REASONS;
