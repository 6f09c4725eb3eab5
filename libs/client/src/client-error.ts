import { MicroraidenError, type ErrorDetails } from '@microraiden/errors';

/**
 * Stable codes of errors raised inside the sender SDK (never sent on the wire). Chain reverts are
 * `ContractRevertedError` (CONTRACT_REVERTED) and gateway answers the SDK cannot parse are
 * `ProtocolError` (RESPONSE_MALFORMED); everything else the SDK refuses is one of these.
 */
export type ClientErrorCode =
  // configuration and keys
  | 'CONFIG_INVALID'
  | 'KEY_MISSING'
  | 'KEY_INVALID'
  | 'KEYSTORE_UNREADABLE'
  | 'KEYSTORE_INSECURE'
  | 'KEYSTORE_INVALID'
  | 'KEYSTORE_PASSWORD_REQUIRED'
  | 'SIGNING_FAILED'
  | 'SIGNER_MISMATCH'
  | 'SIGNER_CANNOT_SEND'
  | 'CLIENT_CLOSED'
  // chain
  | 'CHAIN_MISMATCH'
  | 'RPC_UNAVAILABLE'
  | 'TRANSACTION_FAILED'
  | 'INSUFFICIENT_TOKENS'
  | 'INSUFFICIENT_ETH'
  // local state
  | 'STATE_FILE_CORRUPT'
  | 'STATE_LOCK_FAILED'
  // channels
  | 'INVALID_AMOUNT'
  | 'INVALID_ADDRESS'
  | 'CHANNEL_UNKNOWN'
  | 'CHANNEL_NOT_OPEN'
  | 'CHANNEL_NOT_CLOSING'
  | 'INSUFFICIENT_DEPOSIT'
  | 'INVALID_CLOSING_SIGNATURE'
  | 'CHALLENGE_PERIOD_NOT_OVER'
  | 'COOPERATIVE_CLOSE_FAILED'
  | 'NO_SUITABLE_CHANNEL'
  // paying over HTTP
  | 'CHALLENGE_MISMATCH'
  | 'PRICE_TOO_HIGH'
  | 'BODY_NOT_REPLAYABLE'
  | 'PAYMENT_REFUSED'
  | 'PAYMENT_RESPONSE_LOST'
  | 'NETWORK_ERROR';

/** An error of the sender SDK: stable `code`, human `message`, safe `details` (never keys or signatures). */
export class ClientError extends MicroraidenError<ClientErrorCode> {
  override readonly name: string = 'ClientError';

  constructor(
    code: ClientErrorCode,
    message: string,
    details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, details, options);
  }
}

/** True when `err` is a ClientError, optionally with one of the given codes. */
export function isClientError(err: unknown, ...codes: ClientErrorCode[]): err is ClientError {
  return err instanceof ClientError && (codes.length === 0 || codes.includes(err.code));
}
