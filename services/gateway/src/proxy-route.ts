import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ProxyRequest } from '@microraiden/paywall';
import { RDN_HEADERS } from '@microraiden/protocol';
import { REQUEST_ID_HEADER } from '@microraiden/service-kit';
import type { GatewayRuntime } from './gateway-runtime';
import { paymentLogOf, withRequestId } from './payment-log';

type PaymentLog = ReturnType<typeof paymentLogOf>;

function proxyRequestOf(request: FastifyRequest, config: GatewayRuntime['config']): ProxyRequest {
  const forwardedProto = config.TRUST_PROXY ? request.headers['x-forwarded-proto'] : undefined;
  return {
    method: request.method,
    url: request.url,
    // The upstream sees the id the gateway answers and logs with (the client's, if it was well-formed).
    headers: { ...request.headers, [REQUEST_ID_HEADER]: request.id },
    headersDistinct: request.raw.headersDistinct,
    clientAddress: request.ip,
    protocol: typeof forwardedProto === 'string' ? forwardedProto : request.protocol,
  };
}

/**
 * A streamed route (docs/protocol.md 7.3) on the raw request and response: the body unread (top-up lines), the
 * upstream's SSE metered to the client. Logged once the stream ended, with what it cost.
 */
async function serveStreamed(
  request: FastifyRequest,
  reply: FastifyReply,
  runtime: GatewayRuntime,
  paymentLog: PaymentLog,
): Promise<void> {
  const started = performance.now();
  const res = reply.raw;
  // A hijacked reply skips the onSend hook that names the request id on every other answer.
  res.setHeader(REQUEST_ID_HEADER, request.id);
  try {
    const streamed = await withRequestId(request.id, () =>
      runtime.proxy.handleStream(proxyRequestOf(request, runtime.config), request.raw, res),
    );
    const receipt = streamed.outcome?.receipt;
    paymentLog({
      requestId: request.id,
      method: request.method,
      path: request.url.split('?', 1)[0] ?? '/',
      requestHeaders: request.headers,
      status: streamed.status,
      // The head's RDN-Cost is the first acceptance's 0: what the stream cost is the final receipt's.
      responseHeaders:
        receipt === undefined
          ? streamed.headers
          : { ...streamed.headers, [RDN_HEADERS.cost]: receipt.cost.toString() },
      latencyMs: performance.now() - started,
    });
  } catch (err) {
    request.log.error({ err }, 'streamed proxy request failed');
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
    res.end();
  }
}

/**
 * Mounts the reverse proxy as a catch-all Fastify route, outside Nest's router so the hot path pays no
 * interceptor or pipe overhead. Nest's own routes (health, metrics, docs, the management API) are static paths
 * and win over the wildcard. Bodies are taken raw (any content type) and forwarded byte for byte, except a streamed
 * route's: its body is the client's top-ups, read while the upstream's response streams (PaywallProxy.handleStream).
 */
export function registerProxyRoute(fastify: FastifyInstance, runtime: GatewayRuntime): void {
  const { proxy, config, identity } = runtime;
  const paymentLog = paymentLogOf(config, identity.tokenInfo);
  void fastify.register(async (scope) => {
    // A streamed route's request body is the client's top-ups, sent while the response streams: it must not be
    // parsed (Fastify would wait for its end), so such a request is taken over before parsing.
    scope.addHook('onRequest', async (request, reply) => {
      if (!proxy.streams(request)) return;
      reply.hijack();
      await serveStreamed(request, reply, runtime, paymentLog);
    });
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: config.MAX_BODY_BYTES },
      (_request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: Buffer) => void) =>
        done(null, body),
    );
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const started = performance.now();
      const response = await withRequestId(request.id, () =>
        proxy.handle({
          ...proxyRequestOf(request, config),
          body: Buffer.isBuffer(request.body) ? request.body : undefined,
        }),
      );
      paymentLog({
        requestId: request.id,
        method: request.method,
        path: request.url.split('?', 1)[0] ?? '/',
        requestHeaders: request.headers,
        status: response.status,
        responseHeaders: response.headers,
        latencyMs: performance.now() - started,
      });
      void reply.code(response.status).headers(response.headers);
      return reply.send(response.body);
    };
    scope.all('/', handler);
    scope.all('/*', handler);
  });
}
