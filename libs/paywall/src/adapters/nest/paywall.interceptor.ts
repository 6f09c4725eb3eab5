import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Inject,
  Injectable,
  type NestInterceptor,
  Optional,
} from '@nestjs/common';
import { catchError, from, mergeMap, type Observable, tap } from 'rxjs';
import { withCorsHeaders } from '../../core/cors';
import { takeReportedCharge, type ChargeTarget } from '../../core/metered-charge';
import { nodePaywallRequest, type NodeRequestLike } from '../node-paywall-request';
import type { Paywall } from '../../core/paywall';
import { setReplyHeaders, type HttpReply } from './http-reply';
import { PaywallResponseException } from './paywall-response.exception';

/** Injection token of the Paywall an embedding app charges with. */
export const PAYWALL = Symbol('PAYWALL');
/** Injection token of {@link PaywallNestOptions} (optional). */
export const PAYWALL_OPTIONS = Symbol('PAYWALL_OPTIONS');

/** Options of the Nest adapter (`PaywallModule.forRoot`). */
export interface PaywallNestOptions {
  /** Scheme clients use (for the x402 resource URL); default: the request's (`http` when unknown). */
  readonly protocol?: string;
  /** `PaywallModule` answers CORS preflights for the payment headers on every route (default true). */
  readonly cors?: boolean;
}

/** Express's request, or Fastify's (whose `raw` is Node's IncomingMessage). */
interface IncomingLike extends NodeRequestLike {
  readonly originalUrl?: string;
  readonly protocol?: string;
  readonly raw?: NodeRequestLike;
}

/**
 * Charges for a Nest route handler with the same core as the reverse proxy (use with {@link PaywallResponseFilter},
 * or simply `@Paid()`): unpaid requests get the challenge without reaching the handler; a paid one runs the
 * handler, and its result goes out only after the proof was accepted (with receipt headers). Only a 2xx or 3xx
 * result is charged; a handler failing with a 4xx or 5xx is not, as docs/protocol.md section 7 says. Payments
 * come as RDN-* headers or x402's PAYMENT-SIGNATURE; every answer to a request with `Origin` exposes the payment
 * headers (preflights are answered by `PaywallModule`'s middleware: they never reach an interceptor).
 */
@Injectable()
export class PaywallInterceptor implements NestInterceptor {
  constructor(
    @Inject(PAYWALL) private readonly paywall: Paywall,
    @Optional() @Inject(PAYWALL_OPTIONS) private readonly options: PaywallNestOptions = {},
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<IncomingLike>();
    const reply = http.getResponse<HttpReply>();
    setReplyHeaders(reply, withCorsHeaders(req.headers, {}));
    return from(this.admit(req)).pipe(
      mergeMap((admission) => {
        if (admission.kind === 'respond') throw new PaywallResponseException(admission.response);
        if (admission.kind === 'free') {
          return next.handle().pipe(tap(() => this.paywall.servedFree(admission.route)));
        }
        const { ticket } = admission;
        return next.handle().pipe(
          catchError(async (err: unknown) => {
            const status = err instanceof HttpException ? err.getStatus() : 500;
            const completion = await this.paywall.complete(ticket, { status });
            if (completion.kind === 'respond') throw new PaywallResponseException(completion.response);
            setReplyHeaders(reply, completion.headers);
            throw err;
          }),
          mergeMap(async (body: unknown) => {
            // A metered handler reports its cost with reportCharge(response, …) on Express's or Fastify's response.
            const reported = takeReportedCharge(reply as unknown as ChargeTarget);
            const completion = await this.paywall.complete(ticket, {
              status: 200,
              ...(reported === undefined ? {} : { reported }),
            });
            if (completion.kind === 'respond') throw new PaywallResponseException(completion.response);
            setReplyHeaders(reply, completion.headers);
            return body;
          }),
        );
      }),
    );
  }

  private async admit(req: IncomingLike) {
    const built = nodePaywallRequest(
      {
        method: req.method,
        url: req.originalUrl ?? req.raw?.url ?? req.url,
        headers: req.headers,
        // Express's request is the IncomingMessage; Fastify's keeps it in `raw`.
        headersDistinct: req.headersDistinct ?? req.raw?.headersDistinct,
      },
      this.options.protocol ?? req.protocol ?? 'http',
    );
    if ('respond' in built) return { kind: 'respond' as const, response: built.respond };
    return this.paywall.admit(built.request);
  }
}
