import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { corsPreflight, isCorsPreflight } from '../../core/cors';

/**
 * Answers a browser's CORS preflight for the payment headers (docs/protocol.md 5.5) before routing: a preflight
 * is an OPTIONS request no controller handles, so it never reaches {@link PaywallInterceptor}. Other requests
 * pass untouched. Nest hands middleware Node's request and response on Express and on Fastify alike.
 */
@Injectable()
export class PaywallCorsMiddleware implements NestMiddleware {
  use(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void {
    if (!isCorsPreflight(req.method ?? 'GET', req.headers)) return next();
    const { status, headers, body } = corsPreflight(req.headers);
    res.writeHead(status, headers);
    res.end(body);
  }
}
