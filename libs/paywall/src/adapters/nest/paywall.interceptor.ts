import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Inject,
  Injectable,
  type NestInterceptor,
  Optional,
} from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { catchError, from, mergeMap, type Observable, tap } from 'rxjs';
import { withCorsHeaders } from '../../core/cors';
import { takeReportedCharge, type ChargeTarget } from '../../core/metered-charge';
import { nodePaywallRequest, type NodeRequestLike } from '../node-paywall-request';
import { parseRequestTarget } from '../../core/request-target';
import type { PaidTicket, Paywall } from '../../core/paywall';
import { meterNodeResponse } from '../../stream/node-stream-response';
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
  /** How long a streamed route's pause waits for a top-up (STREAM_TOPUP_TIMEOUT_MS); default 30 s. */
  readonly streamTopUpTimeoutMs?: number;
  /** Reports a streamed route's failures that are not the client's (a commit the database refused). */
  readonly onStreamError?: (message: string, extra: Record<string, string | number>) => void;
}

/** Express's request, or Fastify's (whose `raw` is Node's IncomingMessage). */
export interface IncomingLike extends NodeRequestLike {
  readonly originalUrl?: string;
  readonly protocol?: string;
  readonly raw?: NodeRequestLike;
}

/**
 * Requests whose stream is open (by the guard): the interceptor lets them through. Module-wide, because Nest may
 * make the guard's interceptor and the route's enhancer different instances.
 */
const OPENED_STREAMS = new WeakSet<IncomingMessage>();

/** Node's request and response under Express's (which are Node's) or Fastify's (`raw`). */
function rawOf<T>(wrapper: unknown): T {
  const raw = (wrapper as { raw?: T }).raw;
  return raw ?? (wrapper as T);
}

/**
 * Charges for a Nest route handler with the same core as the reverse proxy (use with {@link PaywallResponseFilter},
 * or simply `@Paid()`): unpaid requests get the challenge without reaching the handler; a paid one runs the
 * handler, and its result goes out only after the proof was accepted (with receipt headers). Only a 2xx or 3xx
 * result is charged; a handler failing with a 4xx or 5xx is not, as docs/protocol.md section 7 says. A streamed
 * route's first proof is accepted before the handler runs and its events are metered as they go out (7.3): an
 * `@Sse()` handler's Observable, a `StreamableFile` of SSE, or writes to the raw response; its request body is the
 * client's top-ups ({@link PaywallStreamBodyMiddleware} keeps it from the body parser). Payments
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
    const target = parseRequestTarget(req.originalUrl ?? req.raw?.url ?? req.url ?? '/');
    if (target !== undefined && this.paywall.streams(target.path)) {
      // Opened by PaywallStreamGuard (`@Paid()`), or here: too late for `@Sse()`, whose head Nest sends at once.
      if (OPENED_STREAMS.has(rawOf<IncomingMessage>(req))) return next.handle();
      return from(this.openStreamFor(req, reply)).pipe(mergeMap(() => next.handle()));
    }
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

  /**
   * Admits a request to a streamed route and opens its stream, or throws the paywall's answer: before the handler
   * runs and before anything is sent, which for `@Sse()` means in a guard ({@link PaywallStreamGuard}), because
   * Nest sends an SSE response's head as soon as the interceptors hand it the Observable.
   */
  async openStreamFor(req: IncomingLike, reply: HttpReply): Promise<void> {
    const admission = await this.admit(req);
    if (admission.kind === 'respond') throw new PaywallResponseException(admission.response);
    if (admission.kind === 'free') return;
    await this.openStream(admission.ticket, req, reply);
    OPENED_STREAMS.add(rawOf<IncomingMessage>(req));
  }

  /**
   * A streamed route (docs/protocol.md 7.3): the first proof is accepted before the handler runs, then what goes out
   * on the raw response is metered (meterNodeResponse): an `@Sse()` handler's events, a StreamableFile's stream, or
   * what the handler writes to the raw response (`@Res()`). The paywall's refusal is thrown to the filter.
   */
  private async openStream(ticket: PaidTicket, req: IncomingLike, reply: HttpReply): Promise<void> {
    const opening = await this.paywall.openStream(ticket);
    if (opening.kind === 'respond') throw new PaywallResponseException(opening.response);
    const res = rawOf<ServerResponse>(reply);
    // Raw writes (and Nest's SSE) send only the raw response's headers: the CORS ones go there too.
    for (const [name, value] of Object.entries(withCorsHeaders(req.headers, {}))) res.setHeader(name, value);
    const { streamTopUpTimeoutMs, onStreamError } = this.options;
    void meterNodeResponse(rawOf<IncomingMessage>(req), res, opening.stream, {
      ...(streamTopUpTimeoutMs === undefined ? {} : { timeoutMs: streamTopUpTimeoutMs }),
      ...(onStreamError === undefined ? {} : { log: onStreamError }),
    });
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
