import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { GatewayError, type GatewayConfig } from '@microraiden/paywall';
import { isOperatorAuthorized } from '@microraiden/service-kit';
import type { FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG } from './gateway-config';

/** Lets a request through only with the operator token (Bearer, or Basic as password); without one set, none pass. */
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
