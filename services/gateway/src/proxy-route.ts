import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { REQUEST_ID_HEADER } from '@microraiden/service-kit';
import type { GatewayRuntime } from './gateway-runtime';
import { paymentLogOf, withRequestId } from './payment-log';

/**
 * Mounts the reverse proxy as a catch-all Fastify route, outside Nest's router so the hot path pays no
 * interceptor or pipe overhead. Nest's own routes (health, metrics, docs, the management API) are static paths
 * and win over the wildcard. Bodies are taken raw (any content type) and forwarded byte for byte.
 */
export function registerProxyRoute(fastify: FastifyInstance, runtime: GatewayRuntime): void {
  const { proxy, config, identity } = runtime;
  const paymentLog = paymentLogOf(config, identity.tokenInfo);
  void fastify.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: config.MAX_BODY_BYTES },
      (_request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: Buffer) => void) =>
        done(null, body),
    );
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const started = performance.now();
      const forwardedProto = config.TRUST_PROXY ? request.headers['x-forwarded-proto'] : undefined;
      const response = await withRequestId(request.id, () =>
        proxy.handle({
          method: request.method,
          url: request.url,
          // The upstream sees the id the gateway answers and logs with (the client's, if it was well-formed).
          headers: { ...request.headers, [REQUEST_ID_HEADER]: request.id },
          headersDistinct: request.raw.headersDistinct,
          body: Buffer.isBuffer(request.body) ? request.body : undefined,
          clientAddress: request.ip,
          protocol: typeof forwardedProto === 'string' ? forwardedProto : request.protocol,
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
