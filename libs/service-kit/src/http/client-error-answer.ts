import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** How long a rejected connection keeps reading (and dropping) what the client still sends before it is closed. */
export const CLIENT_ERROR_LINGER_MS = 2_000;

const answered = new WeakSet<Duplex>();

/** The status of a request the HTTP parser refused: 431 for oversized headers, 408 for a slow one, else 400. */
export function clientErrorStatus(code: string | undefined): 400 | 408 | 431 {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

/**
 * Answers a request that Node's HTTP parser refused (`clientError`: malformed, headers over the limit, too slow):
 * the status line only, no body (the method is unknown at this point, and a HEAD answer must not carry one), and
 * `Connection: close`. Then the connection lingers: it sends its FIN but keeps reading and dropping the rest of the
 * request for up to CLIENT_ERROR_LINGER_MS, because closing a socket with unread input makes the kernel send a
 * reset, which can destroy the answer before the client reads it (a 100 KB header got a reset instead of 431).
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (answered.has(socket)) return;
  answered.add(socket);
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // As Node itself does: never write into a response that already started on this connection.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  const status = clientErrorStatus(err.code);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  const timer = setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS);
  timer.unref();
  socket.on('data', () => undefined);
  socket.once('end', () => socket.destroy());
  socket.once('close', () => clearTimeout(timer));
  socket.resume();
}
