import type { ServerResponse } from 'node:http';
import { MicroraidenError } from '@microraiden/errors';
import { parseAmountField, RDN_HEADERS, type PriceMode } from '@microraiden/protocol';

/**
 * What the handler or upstream of a metered request said it cost (docs/protocol.md 7.2): an amount, or a value
 * that is not one (a malformed RDN-Charge, named here for the log). Absent when nothing was reported.
 */
export type ReportedCharge = { readonly amount: bigint } | { readonly malformed: string };

/** Why a metered request was charged its ceiling rather than what was reported. */
export type MeterFallback = 'overreport' | 'unreported';

/** The charge of one acceptance and, for a metered request charged its ceiling by default, why. */
export interface ChargeDecision {
  readonly charge: bigint;
  readonly fallback?: MeterFallback;
}

/** The response header a metered handler (fetch `next`) or upstream reports its cost in; never sent to the client. */
export const CHARGE_HEADER = RDN_HEADERS.charge;

/** A charge reported with a value that is no amount: the handler's bug, thrown where it reports it. */
export class ChargeReportError extends MicroraidenError<'CHARGE_INVALID'> {
  override readonly name = 'ChargeReportError';
}

/**
 * What an acceptance charges (docs/protocol.md 7.2). A fixed price charges everything the proof authorises above
 * the charged balance (`authorised = balance - C`: overpayment is charged in full, as before). A metered request
 * is charged what was reported, at least 1 base unit, so that the signed balance can never run further ahead of
 * the charged one than one ceiling, and at most the ceiling the client authorised; an over-report (a server bug)
 * or no report at all charges the ceiling, flagged so that it is counted.
 */
export function decideCharge(input: {
  readonly mode: PriceMode;
  /** The route's price: a metered route's ceiling. */
  readonly price: bigint;
  readonly authorised: bigint;
  readonly reported?: ReportedCharge;
}): ChargeDecision {
  const { mode, price, reported } = input;
  switch (mode) {
    case 'fixed':
      return { charge: input.authorised };
    case 'metered':
      if (reported === undefined || 'malformed' in reported) return { charge: price, fallback: 'unreported' };
      if (reported.amount > price) return { charge: price, fallback: 'overreport' };
      return { charge: reported.amount < 1n ? 1n : reported.amount };
    case 'stream':
      // A stream's first acceptance charges nothing: its units are charged as they are delivered (docs/protocol.md
      // 7.3), by the top-ups' acceptances and the final charge.
      return { charge: 0n };
    default: {
      const unknown: never = mode;
      throw new Error(`unhandled price mode ${String(unknown)}`);
    }
  }
}

/**
 * Reads an RDN-Charge value as an HTTP stack hands it over: undefined when absent, the amount when it is one
 * canonical base-10 amount (repeats with the same value count once), else why not. Never throws.
 */
export function readReportedCharge(value: unknown): ReportedCharge | undefined {
  if (value === undefined || value === null) return undefined;
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) return undefined;
  const distinct = new Set(values.map((v) => (typeof v === 'string' ? v.trim() : String(v))));
  if (distinct.size !== 1) return { malformed: 'repeated with different values' };
  const [text] = [...distinct] as [string];
  const parsed = parseAmountField(text);
  return parsed.ok ? { amount: parsed.value } : { malformed: parsed.error };
}

const reported = new WeakMap<ServerResponse, bigint>();

/**
 * Node's response, an Express one (which is Node's), or a Fastify reply (whose `raw` is Node's, and which keeps the
 * headers a handler sets with `reply.header()` to itself until it sends them: read and removed through the reply).
 */
export type ChargeTarget =
  | ServerResponse
  | {
      readonly raw: ServerResponse;
      getHeader?(name: string): unknown;
      removeHeader?(name: string): unknown;
    };

function rawOf(target: ChargeTarget): ServerResponse {
  return 'raw' in target ? target.raw : target;
}

/**
 * Reports what a metered request cost, in token base units (bigint or canonical base-10 string), from a handler
 * behind {@link paywallMiddleware}, the Fastify plugin or the Nest interceptor, before it finishes the response. The
 * request is charged that, at least 1 and at most the route's ceiling; a request that reports nothing is charged the
 * ceiling. The last report wins. Throws ChargeReportError (CHARGE_INVALID) for a value that is no amount.
 */
export function reportCharge(target: ChargeTarget, amount: bigint | string): void {
  const parsed =
    typeof amount === 'bigint'
      ? amount >= 0n && amount < 1n << 256n
        ? ({ ok: true, value: amount } as const)
        : ({ ok: false, error: 'outside 0..2^256-1' } as const)
      : typeof amount === 'string'
        ? parseAmountField(amount)
        : ({ ok: false, error: 'not a bigint or string' } as const);
  if (!parsed.ok)
    throw new ChargeReportError('CHARGE_INVALID', `reportCharge: not an amount (${parsed.error})`, {
      reason: parsed.error,
    });
  reported.set(rawOf(target), parsed.value);
}

/**
 * The charge a handler reported on `res`: through {@link reportCharge}, or else as an RDN-Charge response header
 * it set. The header is removed either way: it is between the handler and the paywall.
 */
export function takeReportedCharge(target: ChargeTarget): ReportedCharge | undefined {
  const res = rawOf(target);
  // A Fastify reply's getHeader falls back to the raw response's; its removeHeader removes only its own.
  const own = 'raw' in target && typeof target.getHeader === 'function' ? target : undefined;
  const header = own?.getHeader?.(CHARGE_HEADER) ?? res.getHeader(CHARGE_HEADER);
  if (header !== undefined) {
    own?.removeHeader?.(CHARGE_HEADER);
    res.removeHeader(CHARGE_HEADER);
  }
  const amount = reported.get(res);
  if (amount !== undefined) {
    reported.delete(res);
    return { amount };
  }
  return readReportedCharge(typeof header === 'number' ? String(header) : header);
}
