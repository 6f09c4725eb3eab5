import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { GatewayRuntime } from './gateway-runtime';
import { registerProxyRoute } from './proxy-route';

/**
 * Mounts the reverse proxy route (outside Nest's router, after its routes). Starting and stopping the replica is
 * libs/service-kit's ServiceLifecycle's.
 */
@Injectable()
export class ProxyRouteMount implements OnModuleInit {
  constructor(
    @Inject(GatewayRuntime) private readonly runtime: GatewayRuntime,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    registerProxyRoute(this.adapterHost.httpAdapter.getInstance<FastifyInstance>(), this.runtime);
  }
}
