import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Paywall } from '../../core/paywall';
import { parseRequestTarget } from '../../core/request-target';
import type { HttpReply } from './http-reply';
import { PAYWALL, PaywallInterceptor, type IncomingLike } from './paywall.interceptor';

/**
 * Opens a streamed route's stream (docs/protocol.md 7.3: its first proof accepted, charge 0) before Nest runs the
 * handler: a guard, because an interceptor is too late for `@Sse()`, whose response head Nest sends as soon as the
 * interceptors hand it the handler's Observable, and the head must carry the receipt (or be the paywall's refusal).
 * Part of `@Paid()`; other routes pass untouched (the interceptor charges them).
 */
@Injectable()
export class PaywallStreamGuard implements CanActivate {
  constructor(
    @Inject(PAYWALL) private readonly paywall: Paywall,
    private readonly interceptor: PaywallInterceptor,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<IncomingLike>();
    const target = parseRequestTarget(req.originalUrl ?? req.raw?.url ?? req.url ?? '/');
    if (target === undefined || !this.paywall.streams(target.path)) return true;
    await this.interceptor.openStreamFor(req, http.getResponse<HttpReply>());
    return true;
  }
}
