import { type DynamicModule, Global, Module } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import {
  HealthModule,
  loggerOptions,
  MetricsModule,
  serviceRuntimeProviders,
} from '@microraiden/service-kit';
import { LoggerModule } from 'nestjs-pino';
import { Registry } from 'prom-client';
import { GATEWAY_CONFIG, type GatewayConfig } from './gateway-config';
import { GatewayRuntime } from './gateway-runtime';
import { ManagementController } from './management.controller';
import { ManagementModule } from './management.module';
import { ProxyRouteMount } from './proxy-route-mount';

/** The replica's runtime, run by libs/service-kit's ServiceLifecycle and shared with the management API. */
@Global()
@Module({})
class GatewayRuntimeModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayRuntimeModule,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        {
          provide: GatewayRuntime,
          inject: [Registry],
          useFactory: (registry: Registry) => GatewayRuntime.create(config, registry),
        },
        ...serviceRuntimeProviders(GatewayRuntime),
        ProxyRouteMount,
      ],
      exports: [GATEWAY_CONFIG, GatewayRuntime],
    };
  }
}

/** The gateway: the receiver's paywall edge (reverse proxy, management API, channel follower, outbox relay). */
@Module({})
export class AppModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // Request logging only for the management API: the proxy's hot path logs nothing per request (its
        // outcomes are metrics), and skipping the logging middleware there saves a measurable share of CPU.
        LoggerModule.forRoot({
          ...loggerOptions('gateway', config.LOG_LEVEL),
          forRoutes: [ManagementController],
        }),
        MetricsModule.register('gateway'),
        GatewayRuntimeModule.register(config),
        HealthModule.forRuntime(GatewayRuntime),
        ManagementModule,
        RouterModule.register([{ path: config.GATEWAY_PATH, module: ManagementModule }]),
      ],
    };
  }
}
