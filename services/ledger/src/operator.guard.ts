import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { assertOperatorAccess, operatorAccess, OperatorOnly } from '@microraiden/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LEDGER_CONFIG, type LedgerConfig } from './ledger-config';

/**
 * The operator-token policy (service-kit's operatorAccess) over the query API and the operator page:
 * `Authorization: Bearer <token>`, or HTTP Basic with the token as password, which a browser prompts for. Without
 * OPERATOR_TOKEN configured they answer 503 OPERATOR_TOKEN_UNSET: never open.
 */
@Injectable()
export class LedgerOperatorGuard implements CanActivate {
  constructor(@Inject(LEDGER_CONFIG) private readonly config: LedgerConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const access = operatorAccess(
      http.getRequest<FastifyRequest>().headers.authorization,
      this.config.OPERATOR_TOKEN,
    );
    if (access === 'denied')
      void http
        .getResponse<FastifyReply>()
        .header('www-authenticate', 'Basic realm="microraiden ledger", charset="UTF-8"');
    assertOperatorAccess(access);
    return true;
  }
}

/** Guards a ledger controller with {@link LedgerOperatorGuard} and documents its security, 401 and 503. */
export function LedgerOperatorOnly(): ClassDecorator & MethodDecorator {
  return OperatorOnly(LedgerOperatorGuard, {
    description:
      'UNAUTHORIZED: the operator token is missing or wrong (with a Basic challenge, so a browser prompts for it)',
  });
}
