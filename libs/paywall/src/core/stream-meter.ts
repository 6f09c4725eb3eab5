/**
 * The pure core of a streamed route (docs/protocol.md, "Streamed prices"): which unit may go out, when to ask the
 * client for more authorisation, what each commit charges. No I/O and no clock: the shell (the middleware or the
 * proxy) reads the upstream, writes the client, runs the commits and the timer, and feeds what happened back in.
 *
 * Amounts are cumulative channel balances in token base units. The stream started when the first proof was
 * accepted (charge 0): `base` is the channel's charged balance C at that moment, `authorised` the signed balance S.
 * A unit may go out only while `base + (delivered + 1) * unitPrice <= authorised`, so what is delivered never
 * exceeds what is signed; charges are committed in arrears (with each top-up's acceptance, and once at the end), so
 * the committed charge lags the delivered one by at most the units of one step, and the final charge is exactly
 * `delivered * unitPrice`.
 */
import { MAX_UNIT_BYTES } from '@microraiden/protocol';

/**
 * A streamed route's price: `unitPrice` per unit, authorised `unitsPerStep` at a time. The unit is one SSE event with
 * data, or, with `unitBytes`, that many bytes of the response body whatever its content type (a byte-metered stream).
 */
export interface StreamPricing {
  readonly unitPrice: bigint;
  readonly unitsPerStep: number;
  /** Byte-metered: a unit is `unitBytes` bytes of the body (the last one may be shorter). */
  readonly unitBytes?: number;
}

// The most bytes one unit of a byte-metered stream may be: the wire's limit (the shell holds one unit in memory).
export { MAX_UNIT_BYTES };

/** Whether `pricing` is a valid stream price: unitPrice >= 1, unitsPerStep and unitBytes integers in range. */
export function isValidStreamPricing(pricing: StreamPricing): boolean {
  const { unitPrice, unitsPerStep, unitBytes } = pricing;
  return (
    unitPrice >= 1n &&
    Number.isSafeInteger(unitsPerStep) &&
    unitsPerStep >= 1 &&
    (unitBytes === undefined ||
      (Number.isSafeInteger(unitBytes) && unitBytes >= 1 && unitBytes <= MAX_UNIT_BYTES))
  );
}

/** What one top-up must authorise at least: one step. */
export function stepPrice(pricing: StreamPricing): bigint {
  return pricing.unitPrice * BigInt(pricing.unitsPerStep);
}

/** Why the stream ends. */
export type StreamEndReason =
  | 'upstream-end'
  | 'upstream-failed'
  | 'client-gone'
  /** Paused, and no top-up came within the timeout. */
  | 'timeout'
  /** Paused after the client closed its side (no more top-ups can come): it spent what it meant to. */
  | 'authorisation-spent'
  /**
   * A byte-metered stream got a top-up it refused (or could not commit): a byte body has no room to say so inline,
   * so the stream ends and the refusal goes in the trailers.
   */
  | 'top-up-refused';

/** A top-up whose acceptance is being committed. */
interface TopUpInFlight {
  readonly balance: bigint;
  /** Units delivered when the commit was decided: what it charges up to. */
  readonly units: number;
}

/** The meter's state; build the first one with {@link startStreamMeter}. */
export interface StreamMeter {
  readonly pricing: StreamPricing;
  /** The channel's charged balance C when the stream started. */
  readonly base: bigint;
  /** The highest balance accepted for this stream: the signed balance S. */
  readonly authorised: bigint;
  /** Units written to the client. */
  readonly delivered: number;
  /** Units whose charge is committed: C = base + committed * unitPrice. */
  readonly committed: number;
  /** A unit read from the upstream that is waiting for authorisation (the upstream is not read meanwhile). */
  readonly held: boolean;
  /** Counts pauses, so that the timer of an earlier pause cannot end a later one. */
  readonly pauses: number;
  readonly topUp: TopUpInFlight | undefined;
  /** The client closed the request body: no top-up will come, so a pause ends the stream at once. */
  readonly topUpsEnded: boolean;
  /** Set once the stream is to end; the final charge waits for a top-up commit in flight. */
  readonly ending: StreamEndReason | undefined;
  readonly ended: boolean;
}

/** What the shell saw. */
export type StreamInput =
  /** The upstream produced one unit. */
  | { readonly kind: 'unit' }
  /** A top-up proof whose signature and channel verified (see {@link topUpTerms}) for `balance`. */
  | { readonly kind: 'top-up'; readonly balance: bigint }
  /** The top-up's acceptance (with its charge) committed; `failed` when it did not (conflict or database). */
  | { readonly kind: 'top-up-settled'; readonly committed: boolean }
  /** The client closed the request body (or never sent one: a browser authorises everything up front). */
  | { readonly kind: 'top-ups-ended' }
  | { readonly kind: 'upstream-end' }
  | { readonly kind: 'upstream-failed' }
  | { readonly kind: 'client-gone' }
  /** A byte-metered stream's top-up was refused or not committed: end the stream (see StreamEndReason). */
  | { readonly kind: 'top-up-refused' }
  /** The timer of pause number `pause` fired. */
  | { readonly kind: 'timeout'; readonly pause: number };

/** What `rdn-authorize` tells the client: the balance to sign to get one more step. */
export interface AuthorizeRequest {
  /** S: the signed balance the gateway holds. */
  readonly balance: bigint;
  /** C as it would be if everything delivered were charged now. */
  readonly chargedBalance: bigint;
  /** Units written so far in this stream. */
  readonly delivered: number;
  /** The lowest balance that pays for one more step: chargedBalance + step. */
  readonly needed: bigint;
}

/** The final charge and the receipt it makes. */
export interface StreamSettlement {
  /** C before the final commit (its compare-and-set). */
  readonly expectedCharged: bigint;
  /** What the final commit charges (0: nothing to commit). */
  readonly charge: bigint;
  /** S after the stream. */
  readonly balance: bigint;
  /** C after the final commit. */
  readonly chargedBalance: bigint;
  /** The whole stream's charge: delivered * unitPrice. */
  readonly cost: bigint;
  readonly units: number;
  readonly reason: StreamEndReason;
}

/** What the shell does next. */
export type StreamDecision =
  /** Write the unit to the client. */
  | { readonly kind: 'forward' }
  /** Hold the unit, stop reading the upstream, send `rdn-authorize`, start the timer of pause `pause`. */
  | { readonly kind: 'pause'; readonly pause: number; readonly authorize: AuthorizeRequest }
  /**
   * Accept the top-up: compare-and-set S from `expectedBalance` to `balance` and C from `expectedCharged` by
   * `charge` (the units delivered since the last commit), with its event, in one statement.
   */
  | {
      readonly kind: 'commit-top-up';
      readonly expectedBalance: bigint;
      readonly balance: bigint;
      readonly expectedCharged: bigint;
      readonly charge: bigint;
    }
  /** The top-up does not pay for a step (or another one is being committed): tell the client, keep waiting. */
  | {
      readonly kind: 'refuse-top-up';
      readonly code: 'BALANCE_STALE' | 'INCREMENT_BELOW_PRICE' | 'TOP_UP_BUSY';
    }
  /** Write the held unit and read the upstream again. */
  | { readonly kind: 'resume' }
  /** Commit the final charge (when > 0) with `balance-proof.charged`, then send `rdn-receipt` unless the client left. */
  | { readonly kind: 'finish'; readonly settlement: StreamSettlement }
  /** Nothing to do now (a stale timer, an input after the end, an end waiting for a commit in flight). */
  | { readonly kind: 'wait' };

/** The meter right after the first proof was accepted: S = `authorised`, C = `base`. */
export function startStreamMeter(pricing: StreamPricing, base: bigint, authorised: bigint): StreamMeter {
  if (!isValidStreamPricing(pricing)) {
    throw new RangeError(
      `a stream needs unitPrice >= 1, an integer unitsPerStep >= 1 and, if given, an integer unitBytes 1..${MAX_UNIT_BYTES}`,
    );
  }
  if (authorised < base) throw new RangeError('the authorised balance is below the charged one');
  return {
    pricing,
    base,
    authorised,
    delivered: 0,
    committed: 0,
    held: false,
    pauses: 0,
    topUp: undefined,
    topUpsEnded: false,
    ending: undefined,
    ended: false,
  };
}

/** C if everything delivered were charged. */
export function deliveredBalance(meter: StreamMeter): bigint {
  return meter.base + BigInt(meter.delivered) * meter.pricing.unitPrice;
}

/** C as committed. */
export function committedBalance(meter: StreamMeter): bigint {
  return meter.base + BigInt(meter.committed) * meter.pricing.unitPrice;
}

/**
 * How a top-up proof is verified (verifyPayment's inputs): newer than S, and at least one step above everything
 * delivered, which counts as charged (docs/protocol.md section 6, steps 12-13).
 */
export function topUpTerms(meter: StreamMeter): {
  lastAcceptedBalance: bigint;
  chargedBalance: bigint;
  price: bigint;
} {
  return {
    lastAcceptedBalance: meter.authorised,
    chargedBalance: deliveredBalance(meter),
    price: stepPrice(meter.pricing),
  };
}

function fitsOneMore(meter: StreamMeter): boolean {
  return deliveredBalance(meter) + meter.pricing.unitPrice <= meter.authorised;
}

function authorizeRequest(meter: StreamMeter): AuthorizeRequest {
  const chargedBalance = deliveredBalance(meter);
  return {
    balance: meter.authorised,
    chargedBalance,
    delivered: meter.delivered,
    needed: chargedBalance + stepPrice(meter.pricing),
  };
}

function settlement(meter: StreamMeter, reason: StreamEndReason): StreamSettlement {
  const expectedCharged = committedBalance(meter);
  const chargedBalance = deliveredBalance(meter);
  return {
    expectedCharged,
    charge: chargedBalance - expectedCharged,
    balance: meter.authorised,
    chargedBalance,
    cost: chargedBalance - meter.base,
    units: meter.delivered,
    reason,
  };
}

function end(meter: StreamMeter, reason: StreamEndReason): StreamDecision {
  if (meter.ended) return { kind: 'wait' };
  // A top-up commit in flight moves C: the final charge is decided once it settled.
  if (meter.topUp !== undefined) return { kind: 'wait' };
  return { kind: 'finish', settlement: settlement(meter, meter.ending ?? reason) };
}

function decideTopUp(meter: StreamMeter, balance: bigint): StreamDecision {
  if (meter.topUp !== undefined) return { kind: 'refuse-top-up', code: 'TOP_UP_BUSY' };
  if (balance <= meter.authorised) return { kind: 'refuse-top-up', code: 'BALANCE_STALE' };
  if (balance - deliveredBalance(meter) < stepPrice(meter.pricing)) {
    return { kind: 'refuse-top-up', code: 'INCREMENT_BELOW_PRICE' };
  }
  const expectedCharged = committedBalance(meter);
  return {
    kind: 'commit-top-up',
    expectedBalance: meter.authorised,
    balance,
    expectedCharged,
    charge: deliveredBalance(meter) - expectedCharged,
  };
}

/** The next step for `input`; apply it with {@link evolveStreamMeter}. */
export function decideStream(meter: StreamMeter, input: StreamInput): StreamDecision {
  if (meter.ended) return { kind: 'wait' };
  switch (input.kind) {
    case 'unit':
      if (meter.ending !== undefined || meter.held) return { kind: 'wait' };
      if (fitsOneMore(meter)) return { kind: 'forward' };
      if (meter.topUpsEnded && meter.topUp === undefined) return end(meter, 'authorisation-spent');
      return { kind: 'pause', pause: meter.pauses + 1, authorize: authorizeRequest(meter) };
    case 'top-ups-ended':
      return meter.held && meter.topUp === undefined ? end(meter, 'authorisation-spent') : { kind: 'wait' };
    case 'top-up':
      if (meter.ending !== undefined) return { kind: 'wait' };
      return decideTopUp(meter, input.balance);
    case 'top-up-settled': {
      if (meter.topUp === undefined) return { kind: 'wait' };
      const settled = evolveStreamMeter(meter, input, { kind: 'wait' });
      if (settled.ending !== undefined) return end(settled, settled.ending);
      if (!settled.held) return { kind: 'wait' };
      if (fitsOneMore(settled)) return { kind: 'resume' };
      if (settled.topUpsEnded) return end(settled, 'authorisation-spent');
      // The top-up did not commit (or did not cover the held unit): ask again, with a fresh timer.
      return { kind: 'pause', pause: settled.pauses + 1, authorize: authorizeRequest(settled) };
    }
    case 'upstream-end':
    case 'upstream-failed':
    case 'client-gone':
    case 'top-up-refused':
      return end(meter, input.kind);
    case 'timeout':
      // A top-up being committed may still authorise the held unit: its settlement decides.
      return meter.held && input.pause === meter.pauses && meter.topUp === undefined
        ? end(meter, 'timeout')
        : { kind: 'wait' };
    default: {
      const unhandled: never = input;
      throw new Error(`unhandled stream input ${JSON.stringify(unhandled)}`);
    }
  }
}

/** The state after `input` was decided as `decision` (and the shell carried the decision out). */
export function evolveStreamMeter(
  meter: StreamMeter,
  input: StreamInput,
  decision: StreamDecision,
): StreamMeter {
  let next = meter;
  if (input.kind === 'top-ups-ended') next = { ...next, topUpsEnded: true };
  if (decision.kind === 'finish' && next.ending === undefined) {
    next = { ...next, ending: decision.settlement.reason };
  }
  if (input.kind === 'top-up-settled' && meter.topUp !== undefined) {
    next = input.committed
      ? { ...next, authorised: meter.topUp.balance, committed: meter.topUp.units, topUp: undefined }
      : { ...next, topUp: undefined };
  }
  if (
    (input.kind === 'upstream-end' ||
      input.kind === 'upstream-failed' ||
      input.kind === 'client-gone' ||
      input.kind === 'top-up-refused') &&
    next.ending === undefined &&
    !next.ended
  ) {
    next = { ...next, ending: input.kind };
  }
  switch (decision.kind) {
    case 'forward':
      return { ...next, delivered: next.delivered + 1 };
    case 'pause':
      return { ...next, held: true, pauses: decision.pause };
    case 'commit-top-up':
      return { ...next, topUp: { balance: decision.balance, units: next.delivered } };
    case 'resume':
      return { ...next, held: false, delivered: next.delivered + 1 };
    case 'finish':
      return { ...next, ended: true, held: false, committed: next.delivered };
    case 'refuse-top-up':
    case 'wait':
      return next;
    default: {
      const unhandled: never = decision;
      throw new Error(`unhandled stream decision ${JSON.stringify(unhandled)}`);
    }
  }
}

/** decideStream then evolveStreamMeter: the shell's one call per input. */
export function stepStream(
  meter: StreamMeter,
  input: StreamInput,
): { readonly meter: StreamMeter; readonly decision: StreamDecision } {
  const decision = decideStream(meter, input);
  return { meter: evolveStreamMeter(meter, input, decision), decision };
}
