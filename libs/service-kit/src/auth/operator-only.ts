import { applyDecorators, UseGuards, type CanActivate, type Type } from '@nestjs/common';
import { ApiResponse, ApiSecurity } from '@nestjs/swagger';

/** The name of the operator token's security scheme in every service's OpenAPI document. */
export const OPERATOR_SECURITY_SCHEME = 'operator';

/** The scheme itself: `Authorization: Bearer <OPERATOR_TOKEN>` (browsers may send it as an HTTP Basic password). */
export const OPERATOR_SECURITY = {
  type: 'http',
  scheme: 'bearer',
  description:
    '`Authorization: Bearer <OPERATOR_TOKEN>`; HTTP Basic with the token as password (any user name) works too.',
} as const;

/**
 * Guards a controller or route with the service's operator-token guard and documents it: the security requirement
 * and the 401 and 503 (see operatorAccess) come with the guard, so the OpenAPI document cannot forget either. `type` is the 401 body's schema.
 * `unavailable` names the route's other 503 answers (OpenAPI has one entry per status, so they share it).
 */
export function OperatorOnly(
  guard: Type<CanActivate>,
  options: { description?: string; type?: Type<unknown>; unavailable?: string } = {},
): ClassDecorator & MethodDecorator {
  return applyDecorators(
    UseGuards(guard),
    ApiSecurity(OPERATOR_SECURITY_SCHEME),
    ApiResponse({
      status: 401,
      description: options.description ?? 'UNAUTHORIZED: the operator token is missing or wrong',
      ...(options.type === undefined ? {} : { type: options.type }),
    }),
    ApiResponse({
      status: 503,
      description:
        'OPERATOR_TOKEN_UNSET: the service has no operator token configured, so its management API is off' +
        (options.unavailable === undefined ? '' : `; ${options.unavailable}`),
      ...(options.type === undefined ? {} : { type: options.type }),
    }),
  );
}
