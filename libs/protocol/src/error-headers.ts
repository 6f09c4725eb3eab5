import { readHeader, type EncodedHeaders, type HeaderSource } from './header-bag';
import { RDN_HEADERS } from './header-names';
import { invalidArgument, PROTOCOL_ERRORS, type ProtocolError } from './protocol-error';

// A code is upper snake case; anything else in RDN-Error is ignored rather than trusted.
const CODE_SYNTAX = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * Headers that announce an error: `RDN-Error: <code>`, the µRaiden 0.2 boolean header for it (value `1`)
 * when one exists, and `Retry-After` when the gateway knows how long the client should wait.
 */
export function encodeErrorHeaders(
  error: ProtocolError,
  options: { retryAfterSeconds?: number } = {},
): EncodedHeaders {
  const headers: EncodedHeaders = { [RDN_HEADERS.error]: error.code };
  const uraiden = PROTOCOL_ERRORS[error.code].uraidenHeader;
  if (uraiden !== null) headers[uraiden] = '1';
  if (options.retryAfterSeconds !== undefined) {
    const seconds = options.retryAfterSeconds;
    if (!Number.isSafeInteger(seconds) || seconds < 0)
      invalidArgument('retryAfterSeconds', 'must be an integer >= 0');
    headers['Retry-After'] = String(seconds);
  }
  return headers;
}

/**
 * The code in a response's RDN-Error header, or undefined when absent or not code-shaped. Returned as a
 * string, not narrowed: a newer gateway may send codes this library does not know (check with
 * isProtocolErrorCode). Never throws.
 */
export function parseErrorCode(headers: HeaderSource): string | undefined {
  const read = readHeader(headers, RDN_HEADERS.error);
  return read.ok && read.value !== undefined && CODE_SYNTAX.test(read.value) ? read.value : undefined;
}
