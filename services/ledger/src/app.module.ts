import { type DynamicModule, Global, Module } from '@nestjs/common';
import {
  HealthModule,
  loggerOptions,
  MetricsModule,
  serviceRuntimeProviders,
} from '@microraiden/service-kit';
import { LoggerModule } from 'nestjs-pino';
import { ChannelsController } from './channels.controller';
import { LEDGER_CONFIG, type LedgerConfig } from './ledger-config';
import { LedgerMetrics } from './ledger-metrics';
import { LedgerRuntime } from './ledger-runtime';
import { LedgerTotalsMetrics } from './ledger-totals-metrics';
import { OperatorAssetsController } from './operator-assets.controller';
import { OperatorController } from './operator.controller';
import { RevenueController } from './revenue.controller';

/** The runtime (database + consumer), run by libs/service-kit's ServiceLifecycle, shared with the health checks. */
@Global()
@Module({})
class LedgerRuntimeModule {
  static register(config: LedgerConfig): DynamicModule {
    return {
      module: LedgerRuntimeModule,
      providers: [
        { provide: LEDGER_CONFIG, useValue: config },
        LedgerRuntime,
        ...serviceRuntimeProviders(LedgerRuntime),
      ],
      exports: [LEDGER_CONFIG, LedgerRuntime],
    };
  }
}

/** The ledger: projects Kafka events into Postgres and answers queries about channels, revenue and risk. */
@Module({})
export class AppModule {
  static register(config: LedgerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerOptions('ledger', config.LOG_LEVEL)),
        MetricsModule.register('ledger'),
        LedgerRuntimeModule.register(config),
        HealthModule.forRuntime(LedgerRuntime),
      ],
      controllers: [ChannelsController, RevenueController, OperatorController, OperatorAssetsController],
      providers: [LedgerMetrics, LedgerTotalsMetrics],
    };
  }
}
