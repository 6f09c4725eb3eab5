/**
 * SQLSTATEs that mean "the database could not do it now" rather than "this request is wrong": a retry later can
 * succeed and nothing was written (a cancelled statement rolls its transaction back).
 */
const UNAVAILABLE_SQLSTATES: ReadonlySet<string> = new Set([
  '55P03', // lock_not_available: lock_timeout expired
  '57014', // query_canceled: statement_timeout expired
  '57P01', // admin_shutdown: backend terminated (pg_terminate_backend, smart/fast shutdown)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or in recovery
  '53300', // too_many_connections
  '40P01', // deadlock_detected (one side is rolled back; a rerun succeeds)
  '40001', // serialization_failure
]);

// Class 08: connection exceptions. Class 58: system errors (I/O) on the server.
const UNAVAILABLE_CLASSES = ['08', '58'];

// node-postgres and Node's socket layer report a lost or refused connection without a SQLSTATE.
const CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection refused|Query read timeout/i;
const SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * Whether `err` says the database is unavailable, slow, locked or lost a race (retry after a while) rather than that the
 * statement or its data is wrong. Services answer these with 503 and loops retry them with backoff.
 */
export function isTransientDatabaseError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (UNAVAILABLE_SQLSTATES.has(code) || SOCKET_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && UNAVAILABLE_CLASSES.includes(code.slice(0, 2))) return true;
  }
  if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return true;
  // AggregateError from a multi-address connect (localhost → ::1 and 127.0.0.1).
  const nested = (err as { errors?: unknown }).errors;
  return Array.isArray(nested) && nested.some((inner) => isTransientDatabaseError(inner));
}
