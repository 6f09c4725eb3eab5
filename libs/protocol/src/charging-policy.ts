/**
 * Whether an upstream answer is charged (docs/protocol.md section 7): only a success, 2xx or 3xx. A 4xx says the
 * request could not be served as asked (not found, bad input, not allowed) and a 5xx that the upstream failed;
 * neither delivers what the client paid for, so the proof is not accepted and may be sent again.
 */
export function isChargeableStatus(status: number): boolean {
  return status >= 200 && status < 400;
}
