// The completion demo as a paid app: completionHandler() behind the embedded paywall on a streamed route, the way
// `npm run stack` serves it on its own port. Streams are metered by the paywall in the app's own process
// (docs/protocol.md 7.3); the stack's front sells the same handler unpaid from the demo upstream, metered by the
// gateways instead (completion-demo-app.ts).
import { createServer, type Server } from 'node:http';
import { createPaywall, paywallMiddleware } from '@microraiden/paywall';
import type { Pool } from 'pg';
import { sendJson } from '../http-response';
import { completionHandler } from './completion';

/** The streamed route: one charged unit per token. */
export const COMPLETION_PATH = '/v1/complete';

/** What {@link createCompletionServer} needs. */
export interface CompletionAppOptions {
  /** The gateway's tables (the stack's services' database): channels are projected there by the gateways. */
  readonly pool: Pool;
  /** The deployment file's JSON. */
  readonly deployment: unknown;
  /** The address paid (the stack's receiver). */
  readonly receiver: string;
  /** Base units per token. */
  readonly unitPrice: bigint;
  /** Tokens authorised per top-up: the client signs one step ahead at most. */
  readonly unitsPerStep: number;
  /** Pause between tokens (completionHandler's `delayMs`). */
  readonly tokenDelayMs?: number;
  /** Longest completion one request may ask for (completionHandler's `maxTokens`). */
  readonly maxTokens?: number;
}

/**
 * An HTTP server (not yet listening): `/v1/complete?prompt=...&max_tokens=n` streamed and charged per token, `GET /`
 * free (what the route costs; the stack's readiness probe). Its acceptances go to the shared outbox, which the
 * gateways' relays publish, as they publish their own.
 */
export function createCompletionServer(options: CompletionAppOptions): Server {
  const stream = { unitPrice: options.unitPrice.toString(), unitsPerStep: options.unitsPerStep };
  const paywall = createPaywall({
    pool: options.pool,
    deployment: options.deployment,
    receiver: options.receiver,
    routes: [{ path: COMPLETION_PATH, stream }],
    gatewayId: 'completion',
  });
  const charge = paywallMiddleware(paywall);
  const complete = completionHandler({
    ...(options.tokenDelayMs === undefined ? {} : { delayMs: options.tokenDelayMs }),
    ...(options.maxTokens === undefined ? {} : { maxTokens: options.maxTokens }),
  });
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://completion');
    if (url.pathname === COMPLETION_PATH) {
      charge(req, res, (err?: unknown) => {
        if (err !== undefined) sendJson(res, 500, { error: 'internal error' });
        else void complete(req, res).catch(() => res.destroy());
      });
      return;
    }
    req.resume();
    if (url.pathname !== '/') {
      sendJson(res, 404, { error: 'not found', path: url.pathname });
      return;
    }
    sendJson(res, 200, {
      hello: 'microraiden completion demo (streamed, paid per token)',
      route: COMPLETION_PATH,
      stream,
      try: `${COMPLETION_PATH}?prompt=hello&max_tokens=40 with client.stream(url, { budget, method: 'POST' })`,
    });
  });
}
