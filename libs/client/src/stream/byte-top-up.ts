/**
 * The client's side of a byte-metered stream (docs/protocol.md 7.3, "Byte-metered streams"): the gateway writes no
 * prompt into the body, so the client computes from the head and its own byte count how much of the authorisation
 * is used, and tops up by one step before it runs out. Pure: the session feeds bytes in and sends what this says.
 */

/** The route's terms, from the challenge: `unitPrice` per `unitBytes` of body, `step` authorised at a time. */
export interface ByteStreamTerms {
  readonly unitPrice: bigint;
  readonly unitBytes: number;
  /** One step: RDN-Price of the challenge. */
  readonly step: bigint;
}

/** Where the stream stands, as far as the client knows. */
export interface ByteStreamPosition {
  /** S: the balance signed so far on the channel (the head's RDN-Sender-Balance, plus every top-up sent). */
  readonly authorised: bigint;
  /** C at the head: the channel's charged balance before the first byte (RDN-Charged-Balance, else RDN-Sender-Balance). */
  readonly base: bigint;
  /** Body bytes received. */
  readonly bytes: number;
  /** Signed by this stream so far (what the budget bounds). */
  readonly spent: bigint;
}

/** What to do after a chunk arrived. */
export type ByteTopUp =
  /** More than half a step is still authorised. */
  | { readonly kind: 'wait' }
  /** Send a line for `balance` = S + step: valid whatever the gateway wrote meanwhile (it never writes beyond S). */
  | { readonly kind: 'sign'; readonly balance: bigint }
  /** Another step would exceed the budget: send no more; the gateway ends the stream when S is used up. */
  | { readonly kind: 'stop' };

/** Units of `bytes` body bytes: the last, shorter unit counts as one. */
export function unitsOfBytes(bytes: number, unitBytes: number): number {
  return Math.ceil(bytes / unitBytes);
}

/** What the units received so far cost, on top of `base`: the charged balance they bring the channel to. */
export function chargedAfter(terms: ByteStreamTerms, position: ByteStreamPosition): bigint {
  return position.base + BigInt(unitsOfBytes(position.bytes, terms.unitBytes)) * terms.unitPrice;
}

/**
 * Tops up once at most half a step of the authorisation is left, so the line is accepted before the gateway pauses
 * (the worked example of the protocol: a 16-unit step is topped up after 8 units, and again after 24).
 */
export function decideByteTopUp(
  terms: ByteStreamTerms,
  position: ByteStreamPosition,
  budget: bigint,
): ByteTopUp {
  const left = position.authorised - chargedAfter(terms, position);
  if (left * 2n > terms.step) return { kind: 'wait' };
  if (position.spent + terms.step > budget) return { kind: 'stop' };
  return { kind: 'sign', balance: position.authorised + terms.step };
}
