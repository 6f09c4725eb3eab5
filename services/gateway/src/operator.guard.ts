import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { assertOperatorAccess, operatorAccess } from '@microraiden/service-kit';
import type { FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from './gateway-config';

/** The operator-token policy (service-kit's operatorAccess): 503 without OPERATOR_TOKEN configured, 401 without it. */
@Injectable()
export class OperatorGuard implements CanActivate {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    assertOperatorAccess(operatorAccess(request.headers.authorization, this.config.OPERATOR_TOKEN));
    return true;
  }
}
