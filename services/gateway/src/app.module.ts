import { type DynamicModule, Module } from '@nestjs/common';
import { kafkaProbe } from '@microraiden/kafka';
import { postgresProbe } from '@microraiden/persistence';
import { HealthModule, loggerOptions, MetricsModule } from '@microraiden/service-kit';
import { LoggerModule } from 'nestjs-pino';
import { Registry } from 'prom-client';
import { chainGuardCheck, chainGuardOf } from './chain-guard-check';
import { GATEWAY_CONFIG, type GatewayConfig } from './gateway-config';
import { GatewayLifecycle } from './gateway-lifecycle';
import { GatewayRuntime } from './gateway-runtime';
import { managementController } from './management.controller';
import { OperatorGuard } from './operator.guard';
import { upstreamProbe } from './upstream-probe';

/** The gateway: the receiver's paywall edge (reverse proxy, management API, channel follower, outbox relay). */
@Module({})
export class AppModule {
  static register(config: GatewayConfig): DynamicModule {
    const management = managementController(config.GATEWAY_PATH);
    // Shared by the paywall (which refuses payments through it) and readiness (which only reports it).
    const chainGuard = chainGuardOf(config);
    return {
      module: AppModule,
      imports: [
        // Request logging only for the management API: the proxy's hot path logs nothing per request (its
        // outcomes are metrics), and skipping the logging middleware there saves a measurable share of CPU.
        LoggerModule.forRoot({ ...loggerOptions('gateway', config.LOG_LEVEL), forRoutes: [management] }),
        MetricsModule.register('gateway'),
        HealthModule.register({
          useFactory: () => [
            postgresProbe(config.DATABASE_URL),
            kafkaProbe(config.KAFKA_BROKERS, 'gateway'),
            upstreamProbe(config.UPSTREAM_URL),
            ...(chainGuard === undefined ? [] : [chainGuardCheck(chainGuard)]),
          ],
        }),
      ],
      controllers: [management],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        {
          provide: GatewayRuntime,
          inject: [Registry],
          useFactory: (registry: Registry) => GatewayRuntime.create(config, registry, chainGuard),
        },
        GatewayLifecycle,
        OperatorGuard,
      ],
      exports: [GatewayRuntime],
    };
  }
}
