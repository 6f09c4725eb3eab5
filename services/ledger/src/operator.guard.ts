import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { isOperatorAuthorized, OperatorOnly } from '@microraiden/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LedgerApiError } from './ledger-api-error';
import { LEDGER_CONFIG, type LedgerConfig } from './ledger-config';

/**
 * With OPERATOR_TOKEN set, the query API and the operator page need it (`Authorization: Bearer <token>`, or HTTP
 * Basic with the token as password, which a browser prompts for). Without it they are open, as in local runs and
 * tests; the ledger warns about that at start-up.
 */
@Injectable()
export class LedgerOperatorGuard implements CanActivate {
  constructor(@Inject(LEDGER_CONFIG) private readonly config: LedgerConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const token = this.config.OPERATOR_TOKEN;
    if (token === undefined) return true;
    const http = context.switchToHttp();
    if (isOperatorAuthorized(http.getRequest<FastifyRequest>().headers.authorization, token)) return true;
    void http
      .getResponse<FastifyReply>()
      .header('www-authenticate', 'Basic realm="microraiden ledger", charset="UTF-8"');
    throw new LedgerApiError('UNAUTHORIZED', 'the operator token is missing or wrong');
  }
}

/** Guards a ledger controller with {@link LedgerOperatorGuard} and documents its security and 401. */
export function LedgerOperatorOnly(): ClassDecorator & MethodDecorator {
  return OperatorOnly(LedgerOperatorGuard, {
    description:
      'UNAUTHORIZED, when OPERATOR_TOKEN is set: the operator token is missing or wrong (with a Basic challenge, ' +
      'so a browser prompts for it)',
  });
}
