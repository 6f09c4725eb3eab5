import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayRuntime } from './gateway-runtime';

/**
 * Mounts the reverse proxy as a catch-all Fastify route, outside Nest's router so the hot path pays no
 * interceptor or pipe overhead. Nest's own routes (health, metrics, docs, the management API) are static paths
 * and win over the wildcard. Bodies are taken raw (any content type) and forwarded byte for byte.
 */
export function registerProxyRoute(fastify: FastifyInstance, runtime: GatewayRuntime): void {
  const { proxy, config } = runtime;
  void fastify.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: config.MAX_BODY_BYTES },
      (_request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: Buffer) => void) =>
        done(null, body),
    );
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const forwardedProto = config.TRUST_PROXY ? request.headers['x-forwarded-proto'] : undefined;
      const response = await proxy.handle({
        method: request.method,
        url: request.url,
        headers: request.headers,
        headersDistinct: request.raw.headersDistinct,
        body: Buffer.isBuffer(request.body) ? request.body : undefined,
        clientAddress: request.ip,
        protocol: typeof forwardedProto === 'string' ? forwardedProto : request.protocol,
      });
      void reply.code(response.status).headers(response.headers);
      return reply.send(response.body);
    };
    scope.all('/', handler);
    scope.all('/*', handler);
  });
}
