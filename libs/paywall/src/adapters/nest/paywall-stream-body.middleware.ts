import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Paywall } from '../../core/paywall';
import { parseRequestTarget } from '../../core/request-target';
import { leaveBodyToMeter } from '../stream-request-body';
import { PAYWALL } from './paywall.interceptor';

/**
 * Keeps the body of a request to a streamed route (its client's top-up lines, docs/protocol.md 7.3) from the body
 * parser, before routing: on Fastify the parser runs before any interceptor and would answer 415 for
 * `application/x-ndjson`. Other requests pass untouched.
 */
@Injectable()
export class PaywallStreamBodyMiddleware implements NestMiddleware {
  constructor(@Inject(PAYWALL) private readonly paywall: Paywall) {}

  use(req: IncomingMessage & { originalUrl?: string }, _res: ServerResponse, next: () => void): void {
    const target = parseRequestTarget(req.originalUrl ?? req.url ?? '/');
    if (target !== undefined && this.paywall.streams(target.path)) leaveBodyToMeter(req.headers);
    next();
  }
}
