import { Inject, Injectable, type NestMiddleware, Optional } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloseEndpoint } from '../../core/close-endpoint';
import { closeRequestBody } from '../close-request-body';
import { nodePaywallRequest } from '../node-paywall-request';
import { PAYWALL_OPTIONS, type PaywallNestOptions } from './paywall.interceptor';

/** Injection token of the PaywallRuntime's CloseEndpoint (provided when `forRoot` is given a runtime). */
export const PAYWALL_CLOSE_ENDPOINT = Symbol('PAYWALL_CLOSE_ENDPOINT');

/**
 * Answers the close endpoint (`DELETE {gatewayPath}/channels/{sender}/{channelId}`, docs/protocol.md section 10)
 * before routing, so the RDN-Gateway-Path the 402s advertise works without a controller. On Express the body is
 * the one Nest's body parser read; on Fastify the middleware runs before parsing and reads it off the request.
 */
@Injectable()
export class PaywallCloseMiddleware implements NestMiddleware {
  constructor(
    @Inject(PAYWALL_CLOSE_ENDPOINT) private readonly endpoint: CloseEndpoint,
    @Optional() @Inject(PAYWALL_OPTIONS) private readonly options: PaywallNestOptions = {},
  ) {}

  use(
    req: IncomingMessage & { originalUrl?: string; body?: unknown },
    res: ServerResponse,
    next: (err?: unknown) => void,
  ): void {
    const built = nodePaywallRequest(
      { method: req.method, url: req.originalUrl ?? req.url ?? '/', headers: req.headers },
      this.options.protocol ?? 'http',
    );
    if ('respond' in built) return next();
    const { method, path, query, resourceUrl, accept } = built.request;
    const params = this.endpoint.match(method, path);
    if (params === undefined) return next();
    closeRequestBody(req)
      .then((body) =>
        this.endpoint.answer({
          params,
          body,
          query,
          resourceUrl,
          ...(accept === undefined ? {} : { accept }),
        }),
      )
      .then((answer) => {
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      }, next);
  }
}
