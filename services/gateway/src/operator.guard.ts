import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { GatewayError, isOperatorAuthorized, type GatewayConfig } from '@microraiden/paywall';
import type { FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG } from './gateway-config';

/** Lets a request through only with `Authorization: Bearer <OPERATOR_TOKEN>`; without a token set, none pass. */
@Injectable()
export class OperatorGuard implements CanActivate {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!isOperatorAuthorized(request.headers.authorization, this.config.OPERATOR_TOKEN ?? '')) {
      throw new GatewayError('UNAUTHORIZED');
    }
    return true;
  }
}
