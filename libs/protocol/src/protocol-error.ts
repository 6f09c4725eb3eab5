import { MicroraidenError, type ErrorDetails } from '@microraiden/errors';

/** Where a code may appear: on the wire from a gateway, only inside a client, or only as a local bug. */
export type ProtocolErrorScope = 'wire' | 'client' | 'local';

interface ProtocolErrorSpec {
  /** HTTP status a gateway answers with. */
  readonly status: number;
  /** Default human message; may change, the code may not. */
  readonly message: string;
  /** The µRaiden 0.2 boolean header (set to `1`) that carries the nearest meaning, for old clients. */
  readonly uraidenHeader: string | null;
  readonly scope: ProtocolErrorScope;
}

/**
 * The one table of protocol errors: code, HTTP status, message and µRaiden equivalent. Gateways, the
 * SDK and docs/protocol.md all use it (a unit test checks the doc's table against this one).
 */
export const PROTOCOL_ERRORS = {
  PAYMENT_REQUIRED: {
    status: 402,
    message:
      'Payment required: send a balance proof for a channel to this receiver in the RDN-* payment headers.',
    uraidenHeader: null,
    scope: 'wire',
  },
  PAYMENT_MALFORMED: {
    status: 400,
    message: 'The payment headers are malformed; see details.header and details.reason.',
    uraidenHeader: null,
    scope: 'wire',
  },
  WRONG_CHAIN: {
    status: 402,
    message: 'The balance proof was signed for another chain; sign it for RDN-Chain-Id of the challenge.',
    uraidenHeader: 'RDN-Invalid-Balance-Proof',
    scope: 'wire',
  },
  WRONG_CONTRACT: {
    status: 402,
    message:
      'The balance proof was signed for another channel manager; sign it for RDN-Contract-Address of the challenge.',
    uraidenHeader: 'RDN-Invalid-Balance-Proof',
    scope: 'wire',
  },
  WRONG_RECEIVER: {
    status: 402,
    message:
      'The channel or balance proof is for another receiver; pay over a channel to RDN-Receiver-Address.',
    uraidenHeader: 'RDN-Invalid-Balance-Proof',
    scope: 'wire',
  },
  CHANNEL_NOT_FOUND: {
    status: 402,
    message:
      'No channel with this id is known to this receiver; open a channel (or wait until it is seen) and pay.',
    uraidenHeader: 'RDN-Nonexisting-Channel',
    scope: 'wire',
  },
  SENDER_MISMATCH: {
    status: 402,
    message: 'RDN-Sender-Address is not the sender of this channel.',
    uraidenHeader: 'RDN-Invalid-Balance-Proof',
    scope: 'wire',
  },
  CHANNEL_CLOSING: {
    status: 402,
    message: 'The channel is closing and accepts no more payments; open a new channel.',
    uraidenHeader: 'RDN-Nonexisting-Channel',
    scope: 'wire',
  },
  CHANNEL_INSUFFICIENT_CONFIRMATIONS: {
    status: 402,
    message:
      'The channel does not have enough confirmations yet; retry the same proof after Retry-After seconds.',
    uraidenHeader: 'RDN-Insufficient-Confirmations',
    scope: 'wire',
  },
  BALANCE_EXCEEDS_DEPOSIT: {
    status: 402,
    message: 'The balance exceeds the channel deposit; top up the channel or open a new one.',
    uraidenHeader: 'RDN-Invalid-Amount',
    scope: 'wire',
  },
  INVALID_SIGNATURE: {
    status: 402,
    message: 'The balance signature is invalid, malleable, or not made by the channel sender.',
    uraidenHeader: 'RDN-Invalid-Balance-Proof',
    scope: 'wire',
  },
  BALANCE_STALE: {
    status: 409,
    message:
      'The balance is not above the last accepted balance; sign RDN-Sender-Balance + RDN-Price and retry.',
    uraidenHeader: 'RDN-Invalid-Amount',
    scope: 'wire',
  },
  INCREMENT_BELOW_PRICE: {
    status: 402,
    message: 'The balance increment is below the price; sign RDN-Sender-Balance + RDN-Price and retry.',
    uraidenHeader: 'RDN-Invalid-Amount',
    scope: 'wire',
  },
  CLOSE_BALANCE_MISMATCH: {
    status: 409,
    message:
      "The closing balance is not the channel's charged balance (the last balance accepted, at fixed prices); details.expected is it.",
    uraidenHeader: null,
    scope: 'wire',
  },
  GATEWAY_UNAVAILABLE: {
    status: 503,
    message:
      'The gateway cannot safely accept payments now (it cannot follow the chain or defend its channels); retry after Retry-After seconds.',
    uraidenHeader: null,
    scope: 'wire',
  },
  RESPONSE_MALFORMED: {
    status: 502,
    message: "The gateway's payment headers or body could not be parsed.",
    uraidenHeader: null,
    scope: 'client',
  },
  INVALID_ARGUMENT: {
    status: 500,
    message: 'A protocol function was called with a value outside its type (a programming error).',
    uraidenHeader: null,
    scope: 'local',
  },
} as const satisfies Record<string, ProtocolErrorSpec>;

/** Every stable protocol error code. */
export type ProtocolErrorCode = keyof typeof PROTOCOL_ERRORS;

/** All codes, in table order. */
export const PROTOCOL_ERROR_CODES = Object.keys(PROTOCOL_ERRORS) as readonly ProtocolErrorCode[];

/** True when `value` is one of the protocol's error codes. */
export function isProtocolErrorCode(value: unknown): value is ProtocolErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(PROTOCOL_ERRORS, value);
}

/** A protocol failure with a stable code and the HTTP status the table assigns to it. */
export class ProtocolError extends MicroraidenError<ProtocolErrorCode> {
  override readonly name: string = 'ProtocolError';
  readonly httpStatus: number;

  constructor(
    code: ProtocolErrorCode,
    details: ErrorDetails = {},
    options: { message?: string; cause?: unknown } = {},
  ) {
    const spec: ProtocolErrorSpec = PROTOCOL_ERRORS[code];
    super(
      code,
      options.message ?? spec.message,
      details,
      'cause' in options ? { cause: options.cause } : undefined,
    );
    this.httpStatus = spec.status;
  }
}

/** True when `err` is a ProtocolError, optionally with one of the given codes. */
export function isProtocolError(err: unknown, ...codes: ProtocolErrorCode[]): err is ProtocolError {
  return err instanceof ProtocolError && (codes.length === 0 || codes.includes(err.code));
}

/** Throws INVALID_ARGUMENT: for encoders and signers given values outside their declared type. */
export function invalidArgument(field: string, reason: string): never {
  throw new ProtocolError('INVALID_ARGUMENT', { field, reason });
}
