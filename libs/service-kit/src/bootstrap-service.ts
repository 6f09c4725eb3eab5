import type { IncomingHttpHeaders } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { OPERATOR_SECURITY, OPERATOR_SECURITY_SCHEME } from './auth/operator-only';
import { HttpErrorFilter } from './errors/http-error.filter';
import { answerClientError } from './http/client-error-answer';
import { armShutdownDeadline } from './lifecycle/shutdown-deadline';
import { REQUEST_ID_HEADER, requestIdOf } from './logging/request-id';

export interface ServiceOptions {
  name: string;
  port: number;
  host?: string;
  /** Listen right away (production) or leave it to the caller (tests use port 0). */
  listen?: boolean;
  /** Longest graceful stop after SIGTERM/SIGINT before the process exits 1 (default 15 s). */
  shutdownTimeoutMs?: number;
}

/** Create a Fastify-backed Nest app with JSON logs, the error filter, OpenAPI at /docs and shutdown hooks. */
export async function bootstrapService(
  module: Parameters<typeof NestFactory.create>[0],
  options: ServiceOptions,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    // Requests Node's parser refuses get a body-less answer and a lingering close (see answerClientError).
    new FastifyAdapter({
      bodyLimit: 1 << 20,
      clientErrorHandler: answerClientError,
      // The client's well-formed x-request-id, else a random UUID: ids never collide across replicas.
      genReqId: (req: { headers: IncomingHttpHeaders }) => requestIdOf(req.headers[REQUEST_ID_HEADER]),
    }),
    {
      bufferLogs: true,
    },
  );
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.useGlobalFilters(new HttpErrorFilter());
  returnRequestId(app);
  app.enableShutdownHooks();
  if (options.listen !== false) armShutdownDeadline(options.name, logger, options.shutdownTimeoutMs);
  mountOpenApi(app, options.name);
  if (options.listen !== false) await app.listen(options.port, options.host ?? '0.0.0.0');
  return app;
}

/** Every answer names its request id, so a client can quote it and an operator find the request's log lines. */
function returnRequestId(app: NestFastifyApplication): void {
  // onSend runs after the handler set its headers: an upstream's own x-request-id never replaces the gateway's.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', (request, reply, payload, done) => {
      void reply.header(REQUEST_ID_HEADER, request.id);
      done(null, payload);
    });
}

function mountOpenApi(app: INestApplication, name: string): void {
  const config = new DocumentBuilder()
    .setTitle(`microraiden ${name}`)
    .setVersion('1')
    .addSecurity(OPERATOR_SECURITY_SCHEME, OPERATOR_SECURITY)
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: 'docs/openapi.json',
  });
}
