import { randomUUID } from 'node:crypto';

/** The header a request id travels in: accepted from clients, returned on every answer, sent upstream. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What a client may choose as its request id: 1-128 characters a log, a header and a URL carry safely. Anything
 * else (too long, spaces, quotes, control characters, a repeated header) is replaced, so a client cannot inject
 * log syntax or grow every log line of its request.
 */
const WELL_FORMED = /^[A-Za-z0-9._:@+=/-]{1,128}$/;

/**
 * The id of a request: the client's `x-request-id` when well-formed, else a random UUID (unique across replicas
 * and restarts, unlike a per-process counter).
 */
export function requestIdOf(header: string | readonly string[] | undefined): string {
  return typeof header === 'string' && WELL_FORMED.test(header) ? header : randomUUID();
}
