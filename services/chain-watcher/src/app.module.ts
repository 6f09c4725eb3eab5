import { type DynamicModule, Global, Module } from '@nestjs/common';
import {
  HealthModule,
  loggerOptions,
  MetricsModule,
  serviceRuntimeProviders,
} from '@microraiden/service-kit';
import { LoggerModule } from 'nestjs-pino';
import { Registry } from 'prom-client';
import { CHAIN_WATCHER_CONFIG, type ChainWatcherConfig } from './chain-watcher-config';
import { ChainWatcherRuntime } from './chain-watcher.runtime';
import { ReceiverFundsCheck } from './receiver-funds-check';
import { StartupCheck } from './startup-check';

/** The watcher's runtime, run by libs/service-kit's ServiceLifecycle and naming the readiness checks. */
@Global()
@Module({})
class ChainWatcherRuntimeModule {
  static register(config: ChainWatcherConfig): DynamicModule {
    const funds = new ReceiverFundsCheck(config.MIN_RECEIVER_ETH);
    const startup = new StartupCheck();
    return {
      module: ChainWatcherRuntimeModule,
      providers: [
        { provide: CHAIN_WATCHER_CONFIG, useValue: config },
        { provide: ReceiverFundsCheck, useValue: funds },
        { provide: StartupCheck, useValue: startup },
        {
          provide: ChainWatcherRuntime,
          inject: [Registry],
          useFactory: (registry: Registry) => ChainWatcherRuntime.create(config, registry, funds, startup),
        },
        ...serviceRuntimeProviders(ChainWatcherRuntime),
      ],
      exports: [ChainWatcherRuntime],
    };
  }
}

/** The chain-watcher: follows the channel manager on chain and acts for the receiver. */
@Module({})
export class AppModule {
  static register(config: ChainWatcherConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerOptions('chain-watcher', config.LOG_LEVEL)),
        MetricsModule.register('chain-watcher'),
        ChainWatcherRuntimeModule.register(config),
        HealthModule.forRuntime(ChainWatcherRuntime),
      ],
    };
  }
}
