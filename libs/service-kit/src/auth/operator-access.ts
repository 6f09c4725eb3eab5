import { MicroraidenError } from '@microraiden/errors';
import { isOperatorAuthorized } from './operator-token';

/**
 * The one operator-token policy of every management API: it is never open. Without OPERATOR_TOKEN (or
 * OPERATOR_TOKEN_FILE) configured it answers 503 OPERATOR_TOKEN_UNSET, so a missing secret shows up as a
 * misconfiguration, not as an open door; with one, a request without it gets 401 UNAUTHORIZED.
 */
export type OperatorAccess = 'granted' | 'token-unset' | 'denied';

const ACCESS_ERRORS = {
  OPERATOR_TOKEN_UNSET: {
    status: 503,
    message: 'the management API is disabled: set OPERATOR_TOKEN or OPERATOR_TOKEN_FILE on this service',
  },
  UNAUTHORIZED: {
    status: 401,
    message: 'the operator token is missing or wrong (Authorization: Bearer <token>)',
  },
} as const;

/** A management request refused by the operator-token policy, with its HTTP status. */
export class OperatorAccessError extends MicroraidenError<keyof typeof ACCESS_ERRORS> {
  override readonly name = 'OperatorAccessError';
  readonly httpStatus: number;

  constructor(code: keyof typeof ACCESS_ERRORS) {
    super(code, ACCESS_ERRORS[code].message);
    this.httpStatus = ACCESS_ERRORS[code].status;
  }
}

/** Pure: what the policy says of a request's `Authorization` header given the configured token. */
export function operatorAccess(
  authorization: string | string[] | undefined,
  token: string | undefined,
): OperatorAccess {
  if (token === undefined || token === '') return 'token-unset';
  return isOperatorAuthorized(authorization, token) ? 'granted' : 'denied';
}

/** Throws the policy's error unless the request is granted. */
export function assertOperatorAccess(access: OperatorAccess): void {
  if (access === 'token-unset') throw new OperatorAccessError('OPERATOR_TOKEN_UNSET');
  if (access === 'denied') throw new OperatorAccessError('UNAUTHORIZED');
}
