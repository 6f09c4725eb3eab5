import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { GatewayError, gatewayErrorResponse, parseRequestTarget, type Paywall } from '@microraiden/paywall';
import { catchError, from, mergeMap, type Observable, tap } from 'rxjs';
import { setReplyHeaders, type HttpReply } from './http-reply';
import { PaywallResponseException } from './paywall-response.exception';

/** Injection token of the Paywall an embedding app charges with. */
export const PAYWALL = Symbol('PAYWALL');

interface IncomingLike {
  method: string;
  url: string;
  originalUrl?: string;
  protocol?: string;
  headers: Record<string, string | string[] | undefined>;
  /** Express (Node's IncomingMessage): every header line its own value. */
  headersDistinct?: NodeJS.Dict<string[]>;
  /** Fastify: the IncomingMessage. */
  raw?: { headersDistinct?: NodeJS.Dict<string[]> };
}

/**
 * Charges for a Nest route handler with the same core as the reverse proxy (use with {@link PaywallResponseFilter}):
 * unpaid requests get the challenge without reaching the handler; a paid one runs the handler, and its result goes
 * out only after the proof was accepted (with receipt headers). Only a 2xx or 3xx result is charged; a handler failing
 * with a 4xx or 5xx is not, as docs/protocol.md section 7 says.
 */
@Injectable()
export class PaywallInterceptor implements NestInterceptor {
  constructor(@Inject(PAYWALL) private readonly paywall: Paywall) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<IncomingLike>();
    const reply = http.getResponse<HttpReply>();
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
            const completion = await this.paywall.complete(ticket, { status: 200 });
            if (completion.kind === 'respond') throw new PaywallResponseException(completion.response);
            setReplyHeaders(reply, completion.headers);
            return body;
          }),
        );
      }),
    );
  }

  private async admit(req: IncomingLike) {
    const target = parseRequestTarget(req.originalUrl ?? req.url);
    if (target === undefined) {
      return {
        kind: 'respond' as const,
        response: gatewayErrorResponse(new GatewayError('PATH_NOT_CANONICAL')),
      };
    }
    const host = typeof req.headers.host === 'string' ? req.headers.host : 'localhost';
    return this.paywall.admit({
      method: req.method,
      path: target.path,
      query: target.query,
      // Every header line its own value: a repeat with the same value counts once (docs/protocol.md section 2),
      // where `headers` would join it into one comma-joined value that fails the format.
      headers: req.headersDistinct ?? req.raw?.headersDistinct ?? req.headers,
      resourceUrl: `${req.protocol ?? 'http'}://${host}${target.path}`,
      ...(req.headers.accept === undefined ? {} : { accept: req.headers.accept }),
    });
  }
}
