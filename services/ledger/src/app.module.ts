import { type DynamicModule, Module } from '@nestjs/common';
import { kafkaProbe } from '@microraiden/kafka';
import { postgresProbe } from '@microraiden/persistence';
import { HealthModule, loggerOptions, MetricsModule } from '@microraiden/service-kit';
import { LoggerModule } from 'nestjs-pino';
import { LEDGER_CONFIG, type LedgerConfig } from './ledger-config';

/** The ledger: projects Kafka events into Postgres. */
@Module({})
export class AppModule {
  static register(config: LedgerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerOptions('ledger', config.LOG_LEVEL)),
        MetricsModule.register('ledger'),
        HealthModule.register({
          useFactory: () => [postgresProbe(config.DATABASE_URL), kafkaProbe(config.KAFKA_BROKERS, 'ledger')],
        }),
      ],
      providers: [{ provide: LEDGER_CONFIG, useValue: config }],
    };
  }
}
