import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../core/gateway-error';
import type { PaywallRequest } from '../core/paywall';
import { gatewayErrorResponse, type PaywallResponse } from '../core/paywall-response';
import { parseRequestTarget } from '../core/request-target';

/** What the Node adapters (middleware, Fastify plugin, Nest interceptor) read off a `node:http` request. */
export interface NodeRequestLike {
  readonly method?: string | undefined;
  /** The origin-form target as received (Express: `originalUrl`, which a mount point does not strip). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Every header line its own value (Node >= 18.3). */
  readonly headersDistinct?: NodeJS.Dict<string[]>;
}

/**
 * The {@link PaywallRequest} of a `node:http` request, or the answer to send at once when its path is not canonical
 * (`PATH_NOT_CANONICAL`: it could match a free route here and a paid one after the application normalises it).
 */
export function nodePaywallRequest(
  req: NodeRequestLike,
  protocol: string,
): { readonly request: PaywallRequest } | { readonly respond: PaywallResponse } {
  const target = parseRequestTarget(req.url);
  if (target === undefined) return { respond: gatewayErrorResponse(new GatewayError('PATH_NOT_CANONICAL')) };
  const host = typeof req.headers.host === 'string' ? req.headers.host : 'localhost';
  return {
    request: {
      method: req.method ?? 'GET',
      path: target.path,
      query: target.query,
      // Every header line its own value: a repeat with the same value counts once (docs/protocol.md section 2),
      // where `headers` would join it into one comma-joined value that fails the format.
      headers: req.headersDistinct ?? req.headers,
      resourceUrl: `${protocol}://${host}${target.path}`,
      ...(req.headers.accept === undefined ? {} : { accept: req.headers.accept }),
    },
  };
}
