import { type DynamicModule, Global, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { countHttpResponses } from './http-responses';
import { MetricsController } from './metrics.controller';
import { createServiceRegistry } from './service-registry';

/** Hooks the response counter into the app's Fastify instance before it starts listening. */
@Injectable()
class HttpResponsesHook implements OnModuleInit {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(Registry) private readonly registry: Registry,
  ) {}

  onModuleInit(): void {
    countHttpResponses(this.adapterHost.httpAdapter.getInstance<FastifyInstance>(), this.registry);
  }
}

/**
 * One prom-client Registry per application (not the global one) so several apps can run in one test
 * process; inject `Registry` to add service metrics.
 */
@Global()
@Module({})
export class MetricsModule {
  static register(service: string): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [{ provide: Registry, useFactory: () => createServiceRegistry(service) }, HttpResponsesHook],
      exports: [Registry],
    };
  }
}
