import { type DynamicModule, Module } from '@nestjs/common';
import { kafkaProbe } from '@microraiden/kafka';
import { postgresProbe } from '@microraiden/persistence';
import { HealthModule, loggerOptions, MetricsModule } from '@microraiden/service-kit';
import { LoggerModule } from 'nestjs-pino';
import { GATEWAY_CONFIG, type GatewayConfig } from './gateway-config';

/** The gateway: the receiver's paywall edge. */
@Module({})
export class AppModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerOptions('gateway', config.LOG_LEVEL)),
        MetricsModule.register('gateway'),
        HealthModule.register({
          useFactory: () => [postgresProbe(config.DATABASE_URL), kafkaProbe(config.KAFKA_BROKERS, 'gateway')],
        }),
      ],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }],
    };
  }
}
