import type { ProtocolError } from './protocol-error';

/**
 * The outcome of a total function: parsers return this instead of throwing, so a gateway can map any
 * hostile input to an answer without a try/catch around every header.
 */
export type Result<T, E = ProtocolError> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/** Wraps a success value. */
export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

/** Wraps a failure. */
export function fail<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
