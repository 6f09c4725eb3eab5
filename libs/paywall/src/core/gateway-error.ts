import { MicroraidenError } from '@microraiden/errors';

/** Failures of the gateway itself (not of a payment): stable codes with the HTTP status they are answered with. */
export const GATEWAY_ERRORS = {
  NOT_FOUND: { status: 404, message: 'No route is configured for this path.' },
  PATH_NOT_CANONICAL: {
    status: 400,
    message: 'The path has dot segments, empty segments or encoded separators; send its canonical form.',
  },
  METHOD_NOT_ALLOWED: { status: 405, message: 'This method is not priced on this route.' },
  UPSTREAM_UNREACHABLE: {
    status: 502,
    message: 'The upstream API could not be reached; you were not charged.',
  },
  UPSTREAM_TIMEOUT: {
    status: 504,
    message: 'The upstream API did not answer in time; you were not charged.',
  },
  UNAUTHORIZED: {
    status: 401,
    message: 'A valid operator token is required (Authorization: Bearer <token>).',
  },
  VALIDATION_FAILED: { status: 400, message: 'The request parameters are invalid; see details.' },
  STREAM_NOT_EVENT_STREAM: {
    status: 502,
    message:
      'This route is metered per server-sent event and its answer is not text/event-stream; nothing was delivered and you were not charged.',
  },
  STREAM_NOT_SUPPORTED: {
    status: 501,
    message: 'This route is streamed, and this server does not meter streams here; you were not charged.',
  },
} as const;

/** One of the gateway's own error codes. */
export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

/** A gateway failure with its HTTP status; rendered with the same `{ error: { code, message, details } }` body. */
export class GatewayError extends MicroraidenError<GatewayErrorCode> {
  override readonly name = 'GatewayError';
  readonly httpStatus: number;

  constructor(code: GatewayErrorCode, details: MicroraidenError['details'] = {}, message?: string) {
    super(code, message ?? GATEWAY_ERRORS[code].message, details);
    this.httpStatus = GATEWAY_ERRORS[code].status;
  }
}
