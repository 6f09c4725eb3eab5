import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { GatewayRuntime } from './gateway-runtime';
import { registerProxyRoute } from './proxy-route';

/** Starts the replica (migrations, Kafka), mounts the proxy route, and stops it all on shutdown. */
@Injectable()
export class GatewayLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(GatewayRuntime) private readonly runtime: GatewayRuntime,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.runtime.start();
    registerProxyRoute(this.adapterHost.httpAdapter.getInstance<FastifyInstance>(), this.runtime);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}
